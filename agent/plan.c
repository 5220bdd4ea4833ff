#include "plan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcimap.h"
#include "protocol.h"
#include "selector.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "plan: ");
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A root is an absolute, normalised path: no "..", ".", "//" or control characters. */
static int check_root(const char *root, char **out)
{
	size_t n = strlen(root);

	if (root[0] != '/' || n >= 4096)
		return -1;
	for (const char *s = root; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return -1;
	if (strstr(root, "//") || strstr(root, "/../") || strstr(root, "/./"))
		return -1;
	if ((n >= 3 && strcmp(root + n - 3, "/..") == 0) || (n >= 2 && strcmp(root + n - 2, "/.") == 0))
		return -1;
	while (n > 0 && root[n - 1] == '/')
		n--;
	*out = xstrndup(root, n);
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int check_args(const struct step_kind *k, json_t *args, size_t idx, char *err, size_t errlen)
{
	const char *key;
	json_t *val;

	if (!args)
		return 0;
	if (!json_is_object(args))
		return fail(err, errlen, "steps[%zu] ('%s'): 'args' must be an object", idx, k->name);
	json_object_foreach(args, key, val) {
		const struct arg_spec *a = k->args;
		while (a && a->name && strcmp(a->name, key) != 0)
			a++;
		if (!a || !a->name)
			return fail(err, errlen, "steps[%zu] ('%s'): unknown argument '%s'", idx, k->name, key);
		switch (a->type) {
		case ARG_BOOL:
			if (!json_is_boolean(val))
				return fail(err, errlen, "steps[%zu] ('%s'): '%s' must be true or false", idx, k->name, key);
			break;
		case ARG_CHOICE: {
			const char *s = json_string_value(val);
			const char *const *c = a->choices;
			while (s && *c && strcmp(*c, s) != 0)
				c++;
			if (!s || !*c) {
				char *shown = json_dumps(val, JSON_ENCODE_ANY);
				fail(err, errlen, "steps[%zu] ('%s'): '%s' must be one of", idx, k->name, key);
				for (c = a->choices; *c; c++)
					snprintf(err + strlen(err), errlen - strlen(err), " %s", *c);
				snprintf(err + strlen(err), errlen - strlen(err), ", not %.60s", shown ? shown : "?");
				free(shown);
				return -1;
			}
			break;
		}
		case ARG_ID: {
			const char *s = json_string_value(val);
			if (!s || !pcimap_valid_id(s))
				return fail(err, errlen, "steps[%zu] ('%s'): '%s' must be a Proxmox ID (a letter, then letters, "
				            "digits, '-' or '_')", idx, k->name, key);
			break;
		}
		case ARG_VMIDS: {
			/* pve-common JSONSchema.pm pve_verify_vmid: ^[1-9][0-9]{2,8}$ */
			size_t i;
			json_t *item;
			if (!json_is_array(val) || json_array_size(val) == 0 || json_array_size(val) > 1024)
				return fail(err, errlen, "steps[%zu] ('%s'): '%s' must be an array of 1 to 1024 VM IDs", idx,
				            k->name, key);
			json_array_foreach(val, i, item) {
				json_int_t id = json_integer_value(item);
				if (!json_is_integer(item) || id < 100 || id > 999999999)
					return fail(err, errlen, "steps[%zu] ('%s'): '%s'[%zu] must be a VM ID, 100 to 999999999",
					            idx, k->name, key, i);
			}
			break;
		}
		case ARG_STRING:
			if (!json_is_string(val))
				return fail(err, errlen, "steps[%zu] ('%s'): '%s' must be a string", idx, k->name, key);
			break;
		case ARG_STRINGS:
		case ARG_NAMES:
		case ARG_SELECTORS: {
			size_t i;
			json_t *item;
			if (!json_is_array(val))
				return fail(err, errlen, "steps[%zu] ('%s'): '%s' must be an array of strings", idx,
				            k->name, key);
			json_array_foreach(val, i, item) {
				const char *s = json_string_value(item);
				struct orch_selector sel;
				if (!s)
					return fail(err, errlen, "steps[%zu] ('%s'): '%s'[%zu] must be a string", idx, k->name,
					            key, i);
				if (a->type == ARG_NAMES && !valid_name(s))
					return fail(err, errlen, "steps[%zu] ('%s'): '%s'[%zu]: '%.64s' is not a module name",
					            idx, k->name, key, i, s);
				if (a->type == ARG_SELECTORS && orch_selector_parse(&sel, s, strlen(s)) < 0)
					return fail(err, errlen,
					            "steps[%zu] ('%s'): '%s'[%zu]: bad selector '%.64s' (expected "
					            "0000:82:00.0, 82:00.0, 82:00 or 10de:1b81)",
					            idx, k->name, key, i, s);
			}
			break;
		}
		}
	}
	return 0;
}

int plan_parse(struct plan *out, const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc, *val, *steps;
	const char *key;
	struct plan p = { 0 };
	bool seen_devices = false;

	if (len > PLAN_MAX_BYTES)
		return fail(err, errlen, "larger than %u bytes", PLAN_MAX_BYTES);
	if (len == 0)
		return fail(err, errlen, "empty input (expected a JSON plan on stdin)");
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return fail(err, errlen, "not valid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	p.doc = doc;
	if (!json_is_object(doc)) {
		fail(err, errlen, "must be a JSON object");
		goto bad;
	}
	json_object_foreach(doc, key, val) {
		if (strcmp(key, "version") && strcmp(key, "host") && strcmp(key, "check") && strcmp(key, "diff") &&
		    strcmp(key, "root") && strcmp(key, "steps")) {
			fail(err, errlen, "unknown field '%s'", key);
			goto bad;
		}
	}
	val = json_object_get(doc, "version");
	if (!json_is_integer(val)) {
		fail(err, errlen, "'version' is missing or not an integer");
		goto bad;
	}
	if (json_integer_value(val) != ORCH_PROTOCOL_VERSION) {
		fail(err, errlen, "version %lld is not supported (this agent speaks version %d)",
		     (long long)json_integer_value(val), ORCH_PROTOCOL_VERSION);
		goto bad;
	}
	val = json_object_get(doc, "host");
	if (val && !json_is_string(val)) {
		fail(err, errlen, "'host' must be a string");
		goto bad;
	}
	p.host = val ? json_string_value(val) : NULL;
	val = json_object_get(doc, "check");
	if (val && !json_is_boolean(val)) {
		fail(err, errlen, "'check' must be true or false");
		goto bad;
	}
	p.check = json_is_true(val);
	val = json_object_get(doc, "diff");
	if (val && !json_is_boolean(val)) {
		fail(err, errlen, "'diff' must be true or false");
		goto bad;
	}
	p.diff = json_is_true(val);
	val = json_object_get(doc, "root");
	if (val && (!json_is_string(val) || check_root(json_string_value(val), &p.root) < 0)) {
		fail(err, errlen, "'root' must be an absolute, normalised path");
		goto bad;
	}
	if (!p.root)
		p.root = xstrdup("");

	steps = json_object_get(doc, "steps");
	if (!json_is_array(steps)) {
		fail(err, errlen, "'steps' is missing or not an array");
		goto bad;
	}
	p.nsteps = json_array_size(steps);
	p.steps = xcalloc(p.nsteps, sizeof(*p.steps));
	for (size_t i = 0; i < p.nsteps; i++) {
		json_t *s = json_array_get(steps, i), *name;
		const struct step_kind *k;

		if (!json_is_object(s)) {
			fail(err, errlen, "steps[%zu] must be an object", i);
			goto bad;
		}
		json_object_foreach(s, key, val) {
			if (strcmp(key, "name") && strcmp(key, "args")) {
				fail(err, errlen, "steps[%zu]: unknown field '%s'", i, key);
				goto bad;
			}
		}
		name = json_object_get(s, "name");
		if (!json_is_string(name)) {
			fail(err, errlen, "steps[%zu]: 'name' is missing or not a string", i);
			goto bad;
		}
		k = step_kind_find(json_string_value(name));
		if (!k) {
			fail(err, errlen, "steps[%zu]: unknown step '%.64s'", i, json_string_value(name));
			goto bad;
		}
		if (check_args(k, json_object_get(s, "args"), i, err, errlen) < 0)
			goto bad;
		if (strcmp(k->name, "devices") == 0) {
			if (seen_devices) {
				fail(err, errlen, "steps[%zu]: a second 'devices' step", i);
				goto bad;
			}
			json_t *sel = json_object_get(json_object_get(s, "args"), "select");
			if (!sel || json_array_size(sel) == 0) {
				fail(err, errlen, "steps[%zu] ('devices'): 'select' must list at least one selector", i);
				goto bad;
			}
			seen_devices = true;
		}
		if (k->needs_selection && !seen_devices) {
			fail(err, errlen, "steps[%zu] ('%s') needs a 'devices' step before it", i, k->name);
			goto bad;
		}
		if (strcmp(k->name, "guests") == 0 && (!json_object_get(json_object_get(s, "args"), "mapping") ||
		                                       !json_object_get(json_object_get(s, "args"), "vmids"))) {
			fail(err, errlen, "steps[%zu] ('guests'): 'mapping' and 'vmids' are required", i);
			goto bad;
		}
		if (strcmp(k->name, "verify") == 0 && !json_object_get(json_object_get(s, "args"), "select")) {
			fail(err, errlen, "steps[%zu] ('verify'): 'select' is required", i);
			goto bad;
		}
		p.steps[i].kind = k;
		p.steps[i].args = json_object_get(s, "args");
	}
	*out = p;
	return 0;
bad:
	free(p.steps);
	free(p.root);
	json_decref(doc);
	return -1;
}

void plan_release(struct plan *p)
{
	free(p->steps);
	free(p->root);
	json_decref(p->doc);
	memset(p, 0, sizeof(*p));
}
