#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pcimap.h"
#include "protocol.h"
#include "selector.h"
#include "inventory/inventory.h"

#define MAX_SELECTORS 64

/* The inventory variables orch reads, NULL-terminated. */
static const char *const plan_variables[] = {
	"ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file",
	"ansible_ssh_host", "ansible_ssh_port", "ansible_ssh_user", "ansible_private_key_file",
	"ansible_become", "orch_root", "passthrough", "iommu_pt", "ignore_msrs",
	"unsafe_interrupts", "disable_vga", "bind_by", "reboot", "host_drivers", "pci_mapping", "pci_guests", "pci_guest_pcie",
	"pci_guest_x_vga", NULL,
};

/* Ansible's names of one connection setting, in the order it takes them:
 * the ansible_ssh_ spelling first, so that it wins when a host has both
 * (ansible-core constants.py, MAGIC_VARIABLE_MAPPING). */
static const char *const var_host[] = {"ansible_ssh_host", "ansible_host", NULL};
static const char *const var_port[] = {"ansible_ssh_port", "ansible_port", NULL};
static const char *const var_user[] = {"ansible_ssh_user", "ansible_user", NULL};
static const char *const var_key[] = {"ansible_ssh_private_key_file", "ansible_private_key_file", NULL};

/* Ansible's connection variables that orch does not use, and why; fine:
 * the values with which Ansible connects as orch does (no warning), or
 * NULL. The value is shown only where fine is given: the others may hold
 * a secret. */
static const struct {
	const char *name, *const *fine, *why;
} unused_vars[] = {
	{"ansible_connection", (const char *const[]){"ssh", "smart", "paramiko", "paramiko_ssh", NULL},
	 "orch connects to every host over SSH"},
	{"ansible_password", NULL, "orch logs in with keys only"},
	{"ansible_ssh_pass", NULL, "orch logs in with keys only"},
	{"ansible_ssh_common_args", NULL, "orch runs no ssh command; a Host block of ~/.ssh/config for the host applies"},
	{"ansible_ssh_extra_args", NULL, "orch runs no ssh command; a Host block of ~/.ssh/config for the host applies"},
	{"ansible_become_user", (const char *const[]){"root", NULL}, "the agent runs as root"},
	{"ansible_become_method", (const char *const[]){"sudo", NULL}, "orch becomes root with sudo -n"},
	{"ansible_become_password", NULL, "orch's sudo is sudo -n, without a password"},
	{"ansible_become_pass", NULL, "orch's sudo is sudo -n, without a password"},
};

/* The value of the first of names that host i has, its name in *which. */
static const char *
connection_var(const struct inventory *inv, size_t i, const char *const *names, const char **which)
{
	const char *v;

	for (; *names != NULL; names++) {
		if ((v = inventory_host_var(inv, i, *names)) != NULL) {
			*which = *names;
			return v;
		}
	}
	return NULL;
}

/* Returns 1 when s is a value Ansible reads as a boolean, storing it in *out. */
static int
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

/* Normalizes one selector into out (lowercase); returns 0, or -1 when it is
 * not one (selector.h has the grammar). */
static int
normalize_selector(const char *s, size_t n, char *out, size_t outlen)
{
	struct orch_selector sel;

	if (n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return orch_selector_parse(&sel, out, n);
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

/* Calls fn on each item of a list value (a YAML sequence, an INI Python
 * list), trimmed; an item that is not a string fails with no item named. */
static int
list_items(const json_t *list, int (*fn)(const char *item, size_t n, void *ctx), void *ctx)
{
	size_t k;
	json_t *item;

	json_array_foreach(list, k, item) {
		const char *a = json_string_value(item), *b;

		if (a == NULL)
			return -1;
		b = a + strlen(a);
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (fn(a, (size_t)(b - a), ctx) != 0)
			return -1;
	}
	return 0;
}

static int
has_number_item(const json_t *list)
{
	size_t k;
	json_t *item;

	json_array_foreach(list, k, item) {
		if (json_is_number(item))
			return 1;
	}
	return 0;
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

/* Proxmox's VM IDs (pve-common src/PVE/JSONSchema.pm, pve_verify_vmid:
 * ^[1-9][0-9]{2,8}$, so 100 to 999999999). */
static int
add_vmid(const char *item, size_t n, void *ctx)
{
	struct list_ctx *lc = ctx;
	json_int_t id = 0;
	size_t i;
	json_t *v;

	if (n < 3 || n > 9 || item[0] == '0' || json_array_size(lc->array) >= 1024) {
		set_bad(lc, item, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)item[i])) {
			set_bad(lc, item, n);
			return -1;
		}
		id = id * 10 + (item[i] - '0');
	}
	json_array_foreach(lc->array, i, v) {
		if (json_integer_value(v) == id)
			return 0;
	}
	return json_array_append_new(lc->array, json_integer(id));
}

/* A list of VM IDs: a comma list, a number, or a list of numbers or
 * strings. */
static int
vmid_items(const json_t *jv, const char *v, struct list_ctx *lc)
{
	size_t k;
	json_t *item;
	char buf[32];

	if (!json_is_array(jv))
		return split_list(v, add_vmid, lc);
	json_array_foreach(jv, k, item) {
		if (json_is_integer(item)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(item));
			if (add_vmid(buf, strlen(buf), lc) != 0)
				return -1;
		} else if (json_is_string(item)) {
			const char *a = json_string_value(item), *b = a + strlen(a);

			while (a < b && isspace((unsigned char)*a))
				a++;
			while (b > a && isspace((unsigned char)b[-1]))
				b--;
			if (add_vmid(a, (size_t)(b - a), lc) != 0)
				return -1;
		} else {
			lc->bad = "a value that is not a VM ID";
			return -1;
		}
	}
	return 0;
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


/* 1 when s has what Ansible's Templar takes for the start of a template
 * (is_possibly_template in ansible/template/__init__.py: "{{", "{%", "{#"). */
static int
is_template(const char *s)
{
	return strstr(s, "{{") != NULL || strstr(s, "{%") != NULL || strstr(s, "{#") != NULL;
}

/* Refuses a value orch cannot evaluate the way Ansible would: a !vault
 * value (the inventory gives it as {"__ansible_vault": ...}, as
 * ansible-inventory prints it) or a Jinja template, itself or in a list.
 * 0 when v is plain; -1 with err naming file, host, variable and why. */
static int
check_evaluable(const struct inventory *inv, size_t i, const char *key, const json_t *v,
		char *err, size_t errlen)
{
	const char *name = inventory_host_name(inv, i);
	const char *origin = inventory_host_var_origin(inv, i, key);
	const char *tmpl = NULL;
	char shown[256];
	size_t k;
	json_t *item;

	if (origin == NULL)
		origin = "?";
	if (json_is_object(v) && json_object_get(v, "__ansible_vault") != NULL) {
		snprintf(err, errlen, "%s: host '%s': variable '%s' is encrypted with ansible-vault (!vault), "
			 "which orch does not decrypt: write it in plain text", origin, name, key);
		return -1;
	}
	if (json_is_string(v) && is_template(json_string_value(v)))
		tmpl = json_string_value(v);
	json_array_foreach(v, k, item) {
		if (tmpl == NULL && json_is_string(item) && is_template(json_string_value(item)))
			tmpl = json_string_value(item);
	}
	if (tmpl != NULL) {
		snprintf(err, errlen, "%s: host '%s': variable '%s': '%s' is a Jinja template, which orch "
			 "does not evaluate: write the value itself", origin, name, key,
			 show_value(shown, sizeof(shown), tmpl, strlen(tmpl)));
		return -1;
	}
	return 0;
}

/* 1 when a and b are one edit apart: a character inserted, deleted or
 * substituted, or two adjacent characters swapped. */
static int
one_edit_apart(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), p = 0;

	if (na < nb) {
		const char *t = a;

		a = b;
		b = t;
		na = strlen(a);
		nb = strlen(b);
	}
	if (na - nb > 1)
		return 0;
	while (p < nb && a[p] == b[p])
		p++;
	if (na == nb) {
		if (p == na)
			return 0;
		if (strcmp(a + p + 1, b + p + 1) == 0)
			return 1;
		return p + 1 < na && a[p] == b[p + 1] && a[p + 1] == b[p] && strcmp(a + p + 2, b + p + 2) == 0;
	}
	return strcmp(a + p + 1, b + p) == 0;
}

/* The variable of orch that key is probably a misspelling of, or NULL.
 * None of the 167 ansible_* names ansible-core 2.14 knows (its plugins'
 * and base.yml's variables) is one edit away from one of orch's, so none
 * needs to be let through here. */
static const char *
likely_name(const char *key)
{
	char dashless[128];
	size_t n = strlen(key);

	for (size_t k = 0; plan_variables[k]; k++) {
		if (strcmp(key, plan_variables[k]) == 0)
			return NULL;
	}
	/* "iommu-pt", "ansible-ssh-private-key-file": '-' written for '_' */
	if (n < sizeof(dashless)) {
		for (size_t c = 0; c <= n; c++)
			dashless[c] = key[c] == '-' ? '_' : key[c];
		for (size_t k = 0; plan_variables[k]; k++) {
			if (strcmp(dashless, plan_variables[k]) == 0)
				return plan_variables[k];
		}
	}
	for (size_t k = 0; plan_variables[k]; k++) {
		if (one_edit_apart(key, plan_variables[k]))
			return plan_variables[k];
	}
	return NULL;
}

struct misspelled {
	FILE *out;
	json_t *seen;    /* "origin\nkey" -> true: warned once per file and key */
	size_t count;
};

static void
warn_if_misspelled(const char *key, const char *origin, void *ctx)
{
	struct misspelled *m = ctx;
	const char *likely = likely_name(key);
	char shown[256], where[4096];

	if (likely == NULL)
		return;
	snprintf(where, sizeof(where), "%s\n%s", origin ? origin : "", key);
	if (json_object_get(m->seen, where) != NULL)
		return;
	json_object_set_new(m->seen, where, json_true());
	fprintf(m->out, "orch: warning: %s: variable '%s' is not one orch reads; did you mean '%s'?\n",
		origin ? origin : "?", show_value(shown, sizeof(shown), key, strlen(key)), likely);
	m->count++;
}

size_t
plan_warn_misspelled(const struct inventory *inv, FILE *out)
{
	struct misspelled m = {.out = out, .seen = json_object()};

	if (m.seen == NULL)
		return 0;
	inventory_each_var(inv, warn_if_misspelled, &m);
	json_decref(m.seen);
	return m.count;
}

static int
is_one_of(const char *v, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++) {
		if (strcmp(v, *list) == 0)
			return 1;
	}
	return 0;
}

size_t
plan_warn_unused(const struct inventory *inv, FILE *out)
{
	json_t *seen = json_object();
	size_t count = 0;

	if (seen == NULL)
		return 0;
	for (size_t i = 0; i < inventory_host_count(inv); i++) {
		for (size_t k = 0; k < sizeof(unused_vars) / sizeof(unused_vars[0]); k++) {
			const char *name = unused_vars[k].name, *v = inventory_host_var(inv, i, name), *origin;
			char shown[256], where[4096];

			if (v == NULL || is_one_of(v, unused_vars[k].fine))
				continue;
			origin = inventory_host_var_origin(inv, i, name);
			snprintf(where, sizeof(where), "%s\n%s", origin ? origin : "", name);
			if (json_object_get(seen, where) != NULL)
				continue;
			json_object_set_new(seen, where, json_true());
			fprintf(out, "orch: warning: %s: variable '%s'%s%s%s is not used: %s\n", origin ? origin : "?",
				name, unused_vars[k].fine ? " ('" : "",
				unused_vars[k].fine ? show_value(shown, sizeof(shown), v, strlen(v)) : "",
				unused_vars[k].fine ? "')" : "", unused_vars[k].why);
			count++;
		}
	}
	json_decref(seen);
	return count;
}

/* The message names the file that set the value first, then the host. */
#define BAD(var, value, why) \
	do { \
		char shown_[256]; \
		const char *origin_ = inventory_host_var_origin(inv, i, var); \
		snprintf(err, errlen, "%s%shost '%s': variable '%s': '%s' %s", origin_ ? origin_ : "", \
			 origin_ ? ": " : "", name, var, \
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
	const char *v, *which, *unsafe = "auto", *disable_vga = "auto", *bind_by = "auto";
	const char *host_mode = "auto", *guest_pcie = "auto";
	int iommu_pt = 0, ignore_msrs = -1, guest_xvga = 0, rc = -1;
	json_t *vmids = NULL;

	hp.target.name = name;
	if (has_control(name) || name[0] == '\0') {
		char shown[256];

		snprintf(err, errlen, "host '%s': the name has control characters",
			 show_value(shown, sizeof(shown), name, strlen(name)));
		goto out;
	}
	hp.select = json_array();
	drivers = json_array();
	for (size_t k = 0; plan_variables[k]; k++) {
		if (check_evaluable(inv, i, plan_variables[k], inventory_host_var_json(inv, i, plan_variables[k]),
				    err, errlen) != 0)
			goto out;
	}

	/* Connection. */
	hp.target.address = name;
	if ((v = connection_var(inv, i, var_host, &which)) != NULL)
		hp.target.address = v;
	if (!valid_address(hp.target.address)) {
		if (v != NULL)
			BAD(which, v, "is not a host name or address");
		snprintf(err, errlen, "host '%s': the name is not a host name or address (set ansible_host)", name);
		goto out;
	}
	if ((v = connection_var(inv, i, var_port, &which)) != NULL) {
		char *end;
		long p;

		errno = 0;
		p = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || p < 1 || p > 65535)
			BAD(which, v, "is not a port number");
		hp.target.port = (int)p;
	}
	if ((v = connection_var(inv, i, var_user, &which)) != NULL) {
		if (!valid_user(v))
			BAD(which, v, "is not a user name");
		hp.target.user = v;
	}
	if ((v = connection_var(inv, i, var_key, &which)) != NULL) {
		if (v[0] == '\0' || has_control(v))
			BAD(which, v, "is not a file name");
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
		const json_t *jv = inventory_host_var_json(inv, i, "passthrough");

		lc.array = hp.select;
		if (json_is_number(jv) || has_number_item(jv))
			BAD("passthrough", v, "has a number where a selector belongs: YAML 1.1 reads an unquoted 82:00 as "
			    "4920 (base 60); quote the selector (passthrough: \"82:00\")");
		if (json_is_array(jv) ? list_items(jv, add_selector, &lc) != 0 : split_list(v, add_selector, &lc) != 0) {
			char why[128];

			if (json_array_size(hp.select) >= MAX_SELECTORS)
				snprintf(why, sizeof(why), "has more than %d selectors", MAX_SELECTORS);
			else if (lc.bad == NULL)
				snprintf(why, sizeof(why), "is not a list of strings");
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
		const json_t *jv = inventory_host_var_json(inv, i, "host_drivers");

		lc.bad = NULL;
		if (!json_is_array(jv) && strcasecmp(v, "auto") == 0)
			host_mode = "auto";
		else if (!json_is_array(jv) && strcasecmp(v, "none") == 0)
			host_mode = "none";
		else {
			host_mode = "list";
			lc.array = drivers;
			if ((json_is_array(jv) ? list_items(jv, add_driver, &lc) : split_list(v, add_driver, &lc)) != 0 ||
			    json_array_size(drivers) == 0) {
				char why[128];

				snprintf(why, sizeof(why), "is not auto, none or a list of driver names%s%s%s",
					 lc.bad ? " ('" : "", lc.bad ? lc.bad : "", lc.bad ? "' is not one)" : "");
				BAD("host_drivers", v, why);
			}
		}
	}

	if ((v = inventory_host_var(inv, i, "pci_mapping")) != NULL) {
		if (!pcimap_valid_id(v))
			BAD("pci_mapping", v, "is not a Proxmox mapping ID (a letter, then letters, digits, '_' or '-'; "
			    "at least two characters)");
		if (json_array_size(hp.select) == 0)
			BAD("pci_mapping", v, "names a mapping for a host without passthrough: no device of it "
			    "would be in the mapping");
		hp.target.pci_mapping = v;
	}
	if ((v = inventory_host_var(inv, i, "pci_guest_pcie")) != NULL &&
	    (guest_pcie = pick_word(v, w_auto, 1)) == NULL)
		BAD("pci_guest_pcie", v, "is not auto, yes or no");
	if ((v = inventory_host_var(inv, i, "pci_guest_x_vga")) != NULL && !plan_parse_bool(v, &guest_xvga))
		BAD("pci_guest_x_vga", v, "is not a boolean");
	if ((v = inventory_host_var(inv, i, "pci_guests")) != NULL) {
		lc.array = vmids = json_array();
		lc.bad = NULL;
		if (vmid_items(inventory_host_var_json(inv, i, "pci_guests"), v, &lc) != 0 ||
		    json_array_size(vmids) == 0) {
			char why[160];

			snprintf(why, sizeof(why), "is not a list of VM IDs (100 to 999999999)%s%s%s",
				 lc.bad ? ": '" : "", lc.bad ? lc.bad : "", lc.bad ? "' is not one" : "");
			BAD("pci_guests", v, why);
		}
		if (hp.target.pci_mapping == NULL)
			BAD("pci_guests", v, "needs pci_mapping, the mapping to attach to these VMs");
		hp.guests = json_pack("{s:s, s:O, s:s, s:b}", "mapping", hp.target.pci_mapping, "vmids", vmids,
				      "pcie", guest_pcie, "x_vga", guest_xvga);
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
	hp.plan = hp.select = hp.guests = NULL;
	rc = 0;
out:
	json_decref(vmids);
	json_decref(hp.guests);
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
	json_decref(hp->guests);
	hp->plan = hp->select = hp->guests = NULL;
}
