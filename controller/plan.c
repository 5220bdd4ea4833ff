#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/protocol.h"
#include "inventory/inventory.h"

#define MAX_SELECTORS 64

int
plan_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1", "y", "t"};
	static const char *const no[] = {"no", "false", "off", "0", "n", "f"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 1;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

int
plan_safe_path(const char *s)
{
	const char *p;

	if (s[0] != '/' || strlen(s) > 512)
		return 0;
	for (p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/._+,@:-", *p) == NULL)
			return 0;
	}
	for (p = s; (p = strstr(p, "/..")) != NULL; p += 3) {
		if (p[3] == '/' || p[3] == '\0')
			return 0;
	}
	return 1;
}

static int
has_control(const char *s)
{
	for (; *s; s++) {
		if (iscntrl((unsigned char)*s))
			return 1;
	}
	return 0;
}

/* Writes s[0..n) into out for a message: control characters as \n, \t or
 * \xNN, so that no value breaks the message's line or reaches the terminal
 * as an escape sequence; at most 200 bytes of it, then "...". */
static const char *
show_value(char *out, size_t outlen, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 200) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '\n')
			o += (size_t)snprintf(out + o, outlen - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(out + o, outlen - o, "\\t");
		else if (iscntrl(c))
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* A host name or address libssh is given: no option-like or empty value,
 * nothing that is not part of a DNS name or an IP address. */
static int
valid_address(const char *s)
{
	if (s[0] == '\0' || s[0] == '-' || strlen(s) > 253)
		return 0;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && strchr(".:-_%[]", *s) == NULL)
			return 0;
	}
	return 1;
}

static int
valid_user(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL &&
		    !(s[i] == '$' && i == n - 1))
			return 0;
	}
	return 1;
}

static int
all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Normalizes one selector into out (lowercase); returns 0 or -1. The three
 * forms: 0000:82:00.0 (function), [0000:]82:00 (slot), 10de:1b81 (ID). */
static int
normalize_selector(const char *s, size_t n, char *out, size_t outlen)
{
	unsigned slot, fn;

	if (n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	if (n == 12 && all_hex(out, 4) && out[4] == ':' && all_hex(out + 5, 2) &&
	    out[7] == ':' && all_hex(out + 8, 2) && out[10] == '.' && isdigit((unsigned char)out[11])) {
		slot = (unsigned)strtoul(out + 8, NULL, 16);
		fn = (unsigned)(out[11] - '0');
		return slot <= 0x1f && fn <= 7 ? 0 : -1;
	}
	if (n == 10 && all_hex(out, 4) && out[4] == ':' && all_hex(out + 5, 2) &&
	    out[7] == ':' && all_hex(out + 8, 2))
		return strtoul(out + 8, NULL, 16) <= 0x1f ? 0 : -1;
	if (n == 5 && all_hex(out, 2) && out[2] == ':' && all_hex(out + 3, 2))
		return strtoul(out + 3, NULL, 16) <= 0x1f ? 0 : -1;
	if (n == 9 && all_hex(out, 4) && out[4] == ':' && all_hex(out + 5, 4))
		return 0;
	return -1;
}

/* Splits a comma list into trimmed items, calling fn on each. */
static int
split_list(const char *s, int (*fn)(const char *item, size_t n, void *ctx), void *ctx)
{
	const char *p = s;

	for (;;) {
		const char *end = strchr(p, ',');
		const char *a = p, *b = end ? end : p + strlen(p);

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a && fn(a, (size_t)(b - a), ctx) != 0)
			return -1;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

struct list_ctx {
	json_t *array;
	const char *bad;   /* the item that failed, for the message */
	char badbuf[64];
};

static void
set_bad(struct list_ctx *lc, const char *item, size_t n)
{
	lc->bad = show_value(lc->badbuf, sizeof(lc->badbuf), item, n);
}

static int
add_selector(const char *item, size_t n, void *ctx)
{
	struct list_ctx *lc = ctx;
	char norm[32];
	size_t i;
	json_t *v;

	if (normalize_selector(item, n, norm, sizeof(norm)) != 0 ||
	    json_array_size(lc->array) >= MAX_SELECTORS) {
		set_bad(lc, item, n);
		return -1;
	}
	json_array_foreach(lc->array, i, v) {
		if (strcmp(json_string_value(v), norm) == 0)
			return 0;
	}
	return json_array_append_new(lc->array, json_string(norm));
}

static int
add_driver(const char *item, size_t n, void *ctx)
{
	struct list_ctx *lc = ctx;
	char name[64];

	if (n == 0 || n >= sizeof(name) || item[0] == '-') {
		set_bad(lc, item, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)item[i]) && item[i] != '_' && item[i] != '-') {
			set_bad(lc, item, n);
			return -1;
		}
	}
	memcpy(name, item, n);
	name[n] = '\0';
	return json_array_append_new(lc->array, json_string(name));
}

/* One of words, or a boolean mapped to yes/no when yes_no is set. Returns the
 * canonical word or NULL. */
static const char *
pick_word(const char *value, const char *const *words, int yes_no)
{
	int b;

	for (; *words; words++) {
		if (strcasecmp(value, *words) == 0)
			return *words;
	}
	if (yes_no && plan_parse_bool(value, &b))
		return b ? "yes" : "no";
	return NULL;
}

#define BAD(var, value, why) \
	do { \
		char shown_[256]; \
		snprintf(err, errlen, "host '%s': variable '%s': '%s' %s", name, var, \
			 show_value(shown_, sizeof(shown_), value, strlen(value)), why); \
		goto out; \
	} while (0)

static json_t *
step(const char *name, json_t *args)
{
	json_t *s = json_pack("{s:s}", "name", name);

	if (args != NULL)
		json_object_set_new(s, "args", args);
	return s;
}

int
plan_compile(struct host_plan *out, const struct inventory *inv, size_t i,
	     const struct options *opts, char *err, size_t errlen)
{
	static const char *const w_unsafe[] = {"auto", NULL};
	static const char *const w_auto[] = {"auto", NULL};
	static const char *const w_bind[] = {"auto", "id", "address", NULL};
	static const char *const w_reboot[] = {"auto", "never", NULL};
	const char *name = inventory_host_name(inv, i);
	struct host_plan hp = {0};
	struct list_ctx lc = {0};
	json_t *steps = NULL, *drivers = NULL;
	const char *v, *unsafe = "auto", *disable_vga = "auto", *bind_by = "auto";
	const char *host_mode = "auto";
	int iommu_pt = 0, ignore_msrs = -1, rc = -1;

	hp.target.name = name;
	if (has_control(name) || name[0] == '\0') {
		char shown[256];

		snprintf(err, errlen, "host '%s': the name has control characters",
			 show_value(shown, sizeof(shown), name, strlen(name)));
		goto out;
	}
	hp.select = json_array();
	drivers = json_array();

	/* Connection. */
	hp.target.address = name;
	if ((v = inventory_host_var(inv, i, "ansible_host")) != NULL)
		hp.target.address = v;
	if (!valid_address(hp.target.address)) {
		if (v != NULL)
			BAD("ansible_host", v, "is not a host name or address");
		snprintf(err, errlen, "host '%s': the name is not a host name or address (set ansible_host)", name);
		goto out;
	}
	if ((v = inventory_host_var(inv, i, "ansible_port")) != NULL) {
		char *end;
		long p;

		errno = 0;
		p = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || p < 1 || p > 65535)
			BAD("ansible_port", v, "is not a port number");
		hp.target.port = (int)p;
	}
	if ((v = inventory_host_var(inv, i, "ansible_user")) != NULL) {
		if (!valid_user(v))
			BAD("ansible_user", v, "is not a user name");
		hp.target.user = v;
	}
	if ((v = inventory_host_var(inv, i, "ansible_ssh_private_key_file")) != NULL) {
		if (v[0] == '\0' || has_control(v))
			BAD("ansible_ssh_private_key_file", v, "is not a file name");
		hp.target.identity = v;
	}
	if ((v = inventory_host_var(inv, i, "ansible_become")) != NULL &&
	    !plan_parse_bool(v, &hp.target.become))
		BAD("ansible_become", v, "is not a boolean");
	if ((v = inventory_host_var(inv, i, "orch_root")) != NULL) {
		if (!plan_safe_path(v))
			BAD("orch_root", v, "is not an absolute path of letters, digits and /._+,@:- without '..'");
		hp.target.root = v;
	}

	/* Passthrough. */
	if ((v = inventory_host_var(inv, i, "passthrough")) != NULL) {
		lc.array = hp.select;
		if (split_list(v, add_selector, &lc) != 0) {
			char why[128];

			if (json_array_size(hp.select) >= MAX_SELECTORS)
				snprintf(why, sizeof(why), "has more than %d selectors", MAX_SELECTORS);
			else if (strcmp(lc.bad, v) == 0)
				snprintf(why, sizeof(why), "is not a PCI address (0000:82:00.0), slot (82:00) or vendor:device ID (10de:1b81)");
			else
				snprintf(why, sizeof(why), "has '%s', which is not a PCI address (0000:82:00.0), slot (82:00) or vendor:device ID (10de:1b81)",
					 lc.bad);
			BAD("passthrough", v, why);
		}
	}
	if ((v = inventory_host_var(inv, i, "iommu_pt")) != NULL && !plan_parse_bool(v, &iommu_pt))
		BAD("iommu_pt", v, "is not a boolean");
	if ((v = inventory_host_var(inv, i, "ignore_msrs")) != NULL && !plan_parse_bool(v, &ignore_msrs))
		BAD("ignore_msrs", v, "is not a boolean");
	if ((v = inventory_host_var(inv, i, "unsafe_interrupts")) != NULL &&
	    (unsafe = pick_word(v, w_unsafe, 1)) == NULL)
		BAD("unsafe_interrupts", v, "is not auto, yes or no");
	if ((v = inventory_host_var(inv, i, "disable_vga")) != NULL &&
	    (disable_vga = pick_word(v, w_auto, 1)) == NULL)
		BAD("disable_vga", v, "is not auto, yes or no");
	if ((v = inventory_host_var(inv, i, "bind_by")) != NULL &&
	    (bind_by = pick_word(v, w_bind, 0)) == NULL)
		BAD("bind_by", v, "is not auto, id or address");
	if ((v = inventory_host_var(inv, i, "reboot")) != NULL) {
		const char *r = pick_word(v, w_reboot, 0);

		if (r == NULL)
			BAD("reboot", v, "is not auto or never");
		hp.target.reboot_never = strcmp(r, "never") == 0;
	}
	if ((v = inventory_host_var(inv, i, "host_drivers")) != NULL) {
		if (strcasecmp(v, "auto") == 0)
			host_mode = "auto";
		else if (strcasecmp(v, "none") == 0)
			host_mode = "none";
		else {
			host_mode = "list";
			lc.array = drivers;
			if (split_list(v, add_driver, &lc) != 0 || json_array_size(drivers) == 0) {
				char why[128];

				snprintf(why, sizeof(why), "is not auto, none or a list of driver names%s%s%s",
					 lc.bad ? " ('" : "", lc.bad ? lc.bad : "", lc.bad ? "' is not one)" : "");
				BAD("host_drivers", v, why);
			}
		}
	}

	steps = json_array();
	json_array_append_new(steps, step(ORCH_STEP_FACTS, NULL));
	if (opts->command == CMD_ROLLBACK) {
		json_array_append_new(steps, step(ORCH_STEP_ROLLBACK, NULL));
		json_array_append_new(steps, step(ORCH_STEP_REFRESH, NULL));
	} else if (opts->command == CMD_APPLY && json_array_size(hp.select) > 0) {
		json_t *hd = json_pack("{s:s}", "mode", host_mode);

		if (strcmp(host_mode, "list") == 0)
			json_object_set(hd, "drivers", drivers);
		json_array_append_new(steps, step(ORCH_STEP_DEVICES,
			json_pack("{s:O,s:s}", "select", hp.select, "bind_by", bind_by)));
		json_array_append_new(steps, step(ORCH_STEP_KERNEL_CMDLINE,
			json_pack("{s:b,s:s}", "iommu_pt", iommu_pt, "framebuffer", "auto")));
		json_array_append_new(steps, step(ORCH_STEP_VFIO_MODULES, NULL));
		json_array_append_new(steps, step(ORCH_STEP_VFIO_BIND,
			json_pack("{s:s}", "disable_vga", disable_vga)));
		json_array_append_new(steps, step(ORCH_STEP_HOST_DRIVERS, hd));
		json_array_append_new(steps, step(ORCH_STEP_UNSAFE_INTERRUPTS, json_pack("{s:s}", "mode", unsafe)));
		/* unset: no "enable", so the agent leaves the admin's kvm options alone */
		json_array_append_new(steps, step(ORCH_STEP_IGNORE_MSRS,
			ignore_msrs < 0 ? NULL : json_pack("{s:b}", "enable", ignore_msrs)));
		json_array_append_new(steps, step(ORCH_STEP_REFRESH, NULL));
	}
	hp.plan = json_pack("{s:i,s:s,s:b,s:b,s:s,s:O}",
			    "version", ORCH_PROTOCOL_VERSION, "host", name,
			    "check", opts->check || opts->command == CMD_FACTS, "diff", opts->diff,
			    "root", hp.target.root ? hp.target.root : "/", "steps", steps);
	if (hp.plan == NULL) {
		snprintf(err, errlen, "host '%s': out of memory", name);
		goto out;
	}
	*out = hp;
	hp.plan = hp.select = NULL;
	rc = 0;
out:
	json_decref(steps);
	json_decref(drivers);
	json_decref(hp.plan);
	json_decref(hp.select);
	return rc;
}

void
plan_release(struct host_plan *hp)
{
	json_decref(hp->plan);
	json_decref(hp->select);
	hp->plan = hp->select = NULL;
}
