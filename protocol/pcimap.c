#include "pcimap.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int
is_any_hex(char c)
{
	return is_lower_hex(c) || (c >= 'A' && c <= 'F');
}

/* $CONFIGID_RE = qr/[a-z][a-z0-9_-]+/i, no length limit. */
int
pcimap_valid_id(const char *s)
{
	if (!is_alpha(s[0]) || s[1] == '\0')
		return 0;
	for (s++; *s; s++) {
		if (!is_alpha(*s) && !is_digit(*s) && *s != '_' && *s != '-')
			return 0;
	}
	return 1;
}

/* m/^([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)$/ */
int
pcimap_valid_node(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (; *s; s++) {
		if (!is_alpha(*s) && !is_digit(*s) && *s != '-')
			return 0;
	}
	return 1;
}

/* $map_fmt's id and subsystem-id: qr/^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$/ */
static int
valid_hex_pair(const char *s)
{
	for (int k = 0; k < 9; k++) {
		if (k == 4 ? s[k] != ':' : !is_any_hex(s[k]))
			return 0;
	}
	return s[9] == '\0';
}

/* One $PCI_RE, "[a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(?:\.[a-f0-9])?" (lower
 * case only), from s to end; returns 1 when [s, end) is one. */
static int
valid_pci_path_one(const char *s, const char *end)
{
	const char *p = s;
	size_t n;

	while (p < end && is_lower_hex(*p))
		p++;
	if (p - s < 4 || p >= end || *p++ != ':')
		return 0;
	for (int k = 0; k < 2; k++) {
		n = 0;
		while (n < 2 && p < end && is_lower_hex(*p)) {
			p++;
			n++;
		}
		if (n != 2)
			return 0;
		if (k == 0 && (p >= end || *p++ != ':'))
			return 0;
	}
	if (p == end)
		return 1;
	return end - p == 2 && p[0] == '.' && is_lower_hex(p[1]);
}

/* $map_fmt's path: "(?:${PCI_RE};)*${PCI_RE}" */
static int
valid_pci_path(const char *s)
{
	for (;;) {
		const char *semi = strchr(s, ';');
		const char *end = semi ? semi : s + strlen(s);

		if (!valid_pci_path_one(s, end))
			return 0;
		if (semi == NULL)
			return 1;
		s = semi + 1;
	}
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
pcimap_entry_release(struct pcimap_entry *e)
{
	free(e->node);
	free(e->path);
	free(e->id);
	free(e->subsystem_id);
	free(e->description);
	memset(e, 0, sizeof(*e));
	e->iommugroup = -1;
}

/* parse_property_string (pve-common JSONSchema.pm): split on ',' (no
 * quoting), parts of only blanks skipped, each part `key=value` with the
 * key up to the first '=' and a value of at least one character; then the
 * schema of $map_fmt: node, id and path required, every pattern anchored,
 * iommugroup an integer (m/^[+-]?\d+$/), description at most 4096. */
int
pcimap_entry_parse(struct pcimap_entry *out, const char *s, char *err, size_t errlen)
{
	struct pcimap_entry e = {.iommugroup = -1};
	char *copy = strdup(s), *save = NULL, *part;
	int rc = -1, have_group = 0;

	if (copy == NULL)
		return fail(err, errlen, "out of memory");
	for (const char *c = s; *c; c++) {
		if (*c == '\n' || *c == '\r') {
			fail(err, errlen, "has a line break");
			goto out;
		}
	}
	/* strtok_r would merge ",," but an empty part is skipped anyway */
	for (part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(part, '='), **slot = NULL, *blank = part;

		while (*blank && isspace((unsigned char)*blank))
			blank++;
		if (*blank == '\0')
			continue;
		if (eq == NULL || eq == part || eq[1] == '\0') {
			fail(err, errlen, "'%s' is not key=value", part);
			goto out;
		}
		*eq = '\0';
		if (strcmp(part, "node") == 0)
			slot = &e.node;
		else if (strcmp(part, "path") == 0)
			slot = &e.path;
		else if (strcmp(part, "id") == 0)
			slot = &e.id;
		else if (strcmp(part, "subsystem-id") == 0)
			slot = &e.subsystem_id;
		else if (strcmp(part, "description") == 0)
			slot = &e.description;
		else if (strcmp(part, "iommugroup") == 0) {
			const char *v = eq + 1, *d = v + (*v == '+' || *v == '-');
			char *end;

			if (have_group) {
				fail(err, errlen, "duplicate key in comma-separated list property: iommugroup");
				goto out;
			}
			if (*d == '\0' || strspn(d, "0123456789") != strlen(d)) {
				fail(err, errlen, "iommugroup: '%s' is not an integer", v);
				goto out;
			}
			e.iommugroup = strtol(v, &end, 10);
			have_group = 1;
			continue;
		} else {
			fail(err, errlen, "invalid key in comma-separated list property: %s", part);
			goto out;
		}
		if (*slot != NULL) {
			fail(err, errlen, "duplicate key in comma-separated list property: %s", part);
			goto out;
		}
		if ((*slot = strdup(eq + 1)) == NULL) {
			fail(err, errlen, "out of memory");
			goto out;
		}
	}
	if (e.node == NULL || e.path == NULL || e.id == NULL) {
		fail(err, errlen, "property '%s' is missing", e.node == NULL ? "node" : e.path == NULL ? "path" : "id");
		goto out;
	}
	if (!pcimap_valid_node(e.node))
		fail(err, errlen, "node: '%s' does not look like a valid node name", e.node);
	else if (!valid_hex_pair(e.id))
		fail(err, errlen, "id: '%s' does not match the regex pattern (VVVV:DDDD)", e.id);
	else if (e.subsystem_id != NULL && !valid_hex_pair(e.subsystem_id))
		fail(err, errlen, "subsystem-id: '%s' does not match the regex pattern (SSSS:ssss)", e.subsystem_id);
	else if (!valid_pci_path(e.path))
		fail(err, errlen, "path: '%s' does not match the regex pattern (0000:01:00[.0][;...], lower case)",
		     e.path);
	else if (e.description != NULL && strlen(e.description) > 4096)
		fail(err, errlen, "description: longer than 4096 characters");
	else {
		*out = e;
		memset(&e, 0, sizeof(e));
		rc = 0;
	}
out:
	pcimap_entry_release(&e);
	free(copy);
	return rc;
}

char *
pcimap_entry_format(const struct pcimap_entry *e)
{
	char group[32] = "";
	char *s = NULL;

	if (e->iommugroup >= 0)
		snprintf(group, sizeof(group), ",iommugroup=%ld", e->iommugroup);
	if (asprintf(&s, "node=%s,path=%s,id=%s%s%s%s%s%s", e->node, e->path, e->id,
		     e->subsystem_id ? ",subsystem-id=" : "", e->subsystem_id ? e->subsystem_id : "", group,
		     e->description ? ",description=" : "", e->description ? e->description : "") < 0)
		return NULL;
	return s;
}

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

int
pcimap_entry_equal(const struct pcimap_entry *a, const struct pcimap_entry *b)
{
	return same(a->node, b->node) && same(a->path, b->path) && same(a->id, b->id) &&
	       same(a->subsystem_id, b->subsystem_id) && a->iommugroup == b->iommugroup &&
	       same(a->description, b->description);
}

static void
add_change(char *out, size_t outlen, const char *key, const char *a, const char *b)
{
	size_t n = strlen(out);

	if (same(a, b) || n + 1 >= outlen)
		return;
	snprintf(out + n, outlen - n, "%s%s %s -> %s", n ? ", " : "", key, a ? a : "none", b ? b : "none");
}

void
pcimap_entry_difference(const struct pcimap_entry *a, const struct pcimap_entry *b, char *out, size_t outlen)
{
	char ga[32] = "", gb[32] = "";

	out[0] = '\0';
	if (a->iommugroup >= 0)
		snprintf(ga, sizeof(ga), "%ld", a->iommugroup);
	if (b->iommugroup >= 0)
		snprintf(gb, sizeof(gb), "%ld", b->iommugroup);
	add_change(out, outlen, "path", a->path, b->path);
	add_change(out, outlen, "id", a->id, b->id);
	add_change(out, outlen, "subsystem-id", a->subsystem_id, b->subsystem_id);
	add_change(out, outlen, "iommugroup", ga[0] ? ga : NULL, gb[0] ? gb : NULL);
	add_change(out, outlen, "description", a->description, b->description);
}

/* Proxmox compares the values as strings after removing every "0x": its
 * sysfs values are lower case, so an entry written in upper case never
 * matches. */
static void
strip_0x(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s && o + 1 < outlen; s++) {
		if (s[0] == '0' && s[1] == 'x') {
			s++;
			continue;
		}
		out[o++] = *s;
	}
	out[o] = '\0';
}

int
pcimap_assert_valid(const char *name, const struct pcimap_entry *e,
		    const struct pcimap_device *(*lookup)(void *ctx, const char *address), void *ctx,
		    char *err, size_t errlen)
{
	const char *p = e->path ? e->path : "";
	int idx = 0;

	/* split(';', $mapping->{path}) */
	while (*p) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		char path[64], expected[3][32], configured[3][32];
		static const char *const props[] = {"id", "iommugroup", "subsystem-id"};  /* sort keys */
		const struct pcimap_device *d;
		int has_expected[3], has_configured[3];

		if (n + 3 > sizeof(path))
			return fail(err, errlen, "pci device '%.*s' not found", (int)n, p);
		memcpy(path, p, n);
		path[n] = '\0';
		/* whole device: its function 0 (must exist) */
		if (strchr(path, '.') == NULL)
			strcat(path, ".0");
		if ((d = lookup(ctx, path)) == NULL)
			return fail(err, errlen, "pci device '%s' not found", path);
		snprintf(expected[0], sizeof(expected[0]), "%04x:%04x", d->vendor, d->device);
		has_expected[0] = 1;
		snprintf(expected[1], sizeof(expected[1]), "%ld", d->iommugroup);
		has_expected[1] = d->iommugroup >= 0;
		snprintf(expected[2], sizeof(expected[2]), "%04x:%04x", d->subsystem_vendor, d->subsystem_device);
		has_expected[2] = d->has_subsystem;
		snprintf(configured[0], sizeof(configured[0]), "%s", e->id ? e->id : "");
		has_configured[0] = e->id != NULL;
		snprintf(configured[1], sizeof(configured[1]), "%ld", e->iommugroup);
		has_configured[1] = e->iommugroup >= 0;
		snprintf(configured[2], sizeof(configured[2]), "%s", e->subsystem_id ? e->subsystem_id : "");
		has_configured[2] = e->subsystem_id != NULL;
		for (int k = 0; k < 3; k++) {
			char a[32], b[32];

			if (k == 1 && idx > 0)   /* the IOMMU group of the first device only */
				continue;
			if (!has_expected[k] && !has_configured[k])
				continue;
			if (has_expected[k] && !has_configured[k])
				return fail(err, errlen, "missing expected property '%s' for device '%s'", props[k], path);
			if (!has_expected[k] && has_configured[k])
				return fail(err, errlen, "unexpected property '%s' configured for device '%s'", props[k],
					    path);
			strip_0x(expected[k], a, sizeof(a));
			strip_0x(configured[k], b, sizeof(b));
			if (strcmp(a, b) != 0)
				return fail(err, errlen, "'%s' does not match for '%s' (%s != %s)", props[k], name, a, b);
		}
		idx++;
		p += n + (semi != NULL);
	}
	return 0;
}
