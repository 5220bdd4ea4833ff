/* pci_mapping: one Proxmox PCI resource mapping made to hold the entries of
 * the nodes of this run, written through `pvesh` on this cluster member.
 *
 * /etc/pve/mapping/pci.cfg is what qemu-server reads at VM start, so it is
 * read here as Proxmox reads it (pve-common src/PVE/SectionConfig.pm
 * parse_config, with pve-guest-common src/PVE/Mapping/PCI.pm's section
 * header and schema), the entries of nodes outside the run kept, those of
 * the run's nodes replaced, and the result compared with what is there:
 * equal, nothing runs; else `pvesh create` (no such mapping) or `pvesh set`
 * with the digest of the file as read (pve-manager
 * PVE/API2/Cluster/Mapping/PCI.pm), so that a change made in between is
 * refused by pmxcfs rather than overwritten. The file itself is never
 * written here: pvesh takes the cluster lock and writes it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "fileops.h"
#include "pcimap.h"
#include "sha1.h"
#include "steps.h"

#define PCI_CFG "/etc/pve/mapping/pci.cfg"
#define PVESH_TIMEOUT_S 60

/* One section as parse_config keeps it: its map lines (checked against the
 * entry schema) and its other options; `dropped` says why Proxmox skips the
 * whole section (and leaves it out of the file it writes next). */
struct section {
	char *id;
	struct strv map;
	char *description, *mdev, *live_migration;
	struct strv bad_lines;      /* values Proxmox refuses, left out when it writes */
	char *dropped;
};

struct config {
	struct section *s;
	size_t n;
};

static void config_release(struct config *c)
{
	for (size_t k = 0; k < c->n; k++) {
		struct section *s = &c->s[k];
		free(s->id);
		strv_release(&s->map);
		free(s->description);
		free(s->mdev);
		free(s->live_migration);
		strv_release(&s->bad_lines);
		free(s->dropped);
	}
	free(c->s);
	memset(c, 0, sizeof(*c));
}

/* parse_boolean (pve-common JSONSchema.pm); NULL for anything else. */
static const char *boolean(const char *v)
{
	static const char *const yes[] = { "1", "on", "yes", "true" }, *const no[] = { "0", "off", "no", "false" };
	for (size_t k = 0; k < 4; k++) {
		if (strcasecmp(v, yes[k]) == 0)
			return "1";
		if (strcasecmp(v, no[k]) == 0)
			return "0";
	}
	return NULL;
}

/* The next line that is not a comment (m/^\s*#/), NULL at the end; lines as
 * Perl's split(/\n/) gives them (trailing empty lines dropped). */
static char *next_line(char **cursor)
{
	while (*cursor) {
		char *line = *cursor, *nl = strchr(line, '\n'), *p = line;
		if (nl) {
			*nl = '\0';
			*cursor = nl + 1;
			if (**cursor == '\0')
				*cursor = NULL;
		} else {
			*cursor = NULL;
		}
		while (*p == ' ' || *p == '\t' || *p == '\f' || *p == '\v' || *p == '\r')
			p++;
		if (*p != '#')
			return line;
	}
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Perl's truth of a line: "" and "0" are false, and end a section. */
static bool perl_true(const char *line)
{
	return line && line[0] && strcmp(line, "0") != 0;
}

static void set_once(struct section *s, char **slot, const char *k, const char *v)
{
	if (*slot)
		strv_push_own(&s->bad_lines, xasprintf("%s: duplicate attribute", k));
	else
		*slot = xstrdup(v);
}

/* One property line of section s: m/^\s+(\S+)(\s+(.*\S))?\s*$/. */
static void parse_property(struct section *s, char *line)
{
	char *k = line, *v, *end;
	char err[256];

	while (is_space(*k))
		k++;
	if (k == line || *k == '\0') {
		strv_push_own(&s->bad_lines, xasprintf("ignored line '%s'", line));
		return;
	}
	for (v = k; *v && !is_space(*v); v++)
		;
	if (*v) {
		*v++ = '\0';
		while (is_space(*v))
			v++;
		end = v + strlen(v);
		while (end > v && is_space(end[-1]))
			*--end = '\0';
	}
	if (strcmp(k, "map") == 0) {
		struct pcimap_entry e;
		if (*v == '\0' || pcimap_entry_parse(&e, v, err, sizeof(err)) != 0) {
			strv_push_own(&s->bad_lines, xasprintf("map '%s': %s", v, *v ? err : "no value"));
			return;
		}
		pcimap_entry_release(&e);
		strv_push(&s->map, v);
	} else if (strcmp(k, "description") == 0 && *v && strlen(v) <= 4096) {
		set_once(s, &s->description, k, v);
	} else if ((strcmp(k, "mdev") == 0 || strcmp(k, "live-migration-capable") == 0) && boolean(v)) {
		set_once(s, strcmp(k, "mdev") == 0 ? &s->mdev : &s->live_migration, k, boolean(v));
	} else if (strcmp(k, "map") && strcmp(k, "description") && strcmp(k, "mdev") &&
	           strcmp(k, "live-migration-capable")) {
		/* check_config refuses a property the plugin does not know */
		if (!s->dropped)
			s->dropped = xasprintf("unknown property '%s'", k);
	} else {
		strv_push_own(&s->bad_lines, xasprintf("%s: bad value '%s'", k, v));
	}
}

/* parse_config: a section is a header line (PCI.pm's m/^(\S+)\s*$/, an ID
 * that pve_verify_configid accepts) and the lines up to an empty one. */
static void config_parse(struct config *c, const char *raw)
{
	char *copy = xstrdup(raw ? raw : ""), *cursor = copy[0] ? copy : NULL, *line;

	while (cursor) {
		line = next_line(&cursor);
		if (!perl_true(line))
			continue;
		char *id = line, *end;
		for (end = id; *end && !is_space(*end); end++)
			;
		bool header = end > id && !is_space(line[0]);
		for (char *p = end; *p; p++)
			header = header && is_space(*p);
		if (!header)
			continue;   /* "ignore config line" */
		*end = '\0';
		c->s = xrealloc(c->s, (c->n + 1) * sizeof(*c->s));
		struct section *s = &c->s[c->n++];
		memset(s, 0, sizeof(*s));
		s->id = xstrdup(id);
		if (!pcimap_valid_id(id))
			s->dropped = xasprintf("invalid configuration ID '%s'", id);
		while (perl_true(line = next_line(&cursor)))
			if (!s->dropped)
				parse_property(s, line);
		if (!s->dropped && s->map.n == 0)
			s->dropped = xstrdup("no map line (a required option)");
	}
	free(copy);
}

/* write_config: each section kept, in the order read, as its header, the
 * required option (map), then the optional ones sorted by name, then an
 * empty line. */
static char *config_format(const struct config *c)
{
	struct sb b;

	sb_init(&b);
	for (size_t k = 0; k < c->n; k++) {
		const struct section *s = &c->s[k];
		if (s->dropped)
			continue;
		sb_addf(&b, "%s\n", s->id);
		for (size_t m = 0; m < s->map.n; m++)
			sb_addf(&b, "\tmap %s\n", s->map.v[m]);
		if (s->description)
			sb_addf(&b, "\tdescription %s\n", s->description);
		if (s->live_migration)
			sb_addf(&b, "\tlive-migration-capable %s\n", s->live_migration);
		if (s->mdev)
			sb_addf(&b, "\tmdev %s\n", s->mdev);
		sb_adds(&b, "\n");
	}
	return sb_detach(&b);
}

static const char *arg_string(const struct step *st, const char *name)
{
	return json_string_value(json_object_get(st->args, name));
}

/* The wanted entries: one valid entry per node of `nodes`, and no other. */
static int wanted_entries(const struct step *st, struct result *r, struct pcimap_entry **out, size_t *nout)
{
	json_t *map = json_object_get(st->args, "map"), *nodes = json_object_get(st->args, "nodes"), *v;
	struct pcimap_entry *want = xcalloc(json_array_size(map) + 1, sizeof(*want));
	size_t k, n = 0;
	char err[256];

	json_array_foreach(map, k, v) {
		if (pcimap_entry_parse(&want[n], json_string_value(v), err, sizeof(err)) != 0) {
			result_fail(r, "map entry '%s': %s", json_string_value(v), err);
			goto bad;
		}
		n++;
		for (size_t j = 0; j + 1 < n; j++)
			if (strcmp(want[j].node, want[n - 1].node) == 0) {
				result_fail(r, "two map entries for node '%s'", want[j].node);
				goto bad;
			}
	}
	if (n == 0) {
		result_fail(r, "no map entries");
		goto bad;
	}
	if (json_array_size(nodes) != n) {
		result_fail(r, "%zu node names for %zu map entries", json_array_size(nodes), n);
		goto bad;
	}
	json_array_foreach(nodes, k, v) {
		size_t j = 0;
		while (j < n && strcmp(want[j].node, json_string_value(v)) != 0)
			j++;
		if (j == n) {
			result_fail(r, "node '%s' has no map entry", json_string_value(v));
			goto bad;
		}
	}
	*out = want;
	*nout = n;
	return 0;
bad:
	for (k = 0; k < n; k++)
		pcimap_entry_release(&want[k]);
	free(want);
	return -1;
}

static struct pcimap_entry *find_node(struct pcimap_entry *want, size_t n, const char *node)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(want[k].node, node) == 0)
			return &want[k];
	return NULL;
}

/* The map lines of section s with the run's nodes' entries in place: kept
 * lines of other nodes, a node's line kept when it already says what is
 * wanted, replaced (at its first line) when not, appended when it has
 * none. What changed goes to `changes`, the nodes kept to `kept`. */
static void merge_map(const struct section *s, struct pcimap_entry *want, size_t n, struct strv *map,
                      struct strv *changes, struct strv *kept)
{
	bool *placed = xcalloc(n + 1, sizeof(*placed));
	char err[256];

	for (size_t m = 0; s && m < s->map.n; m++) {
		struct pcimap_entry have;
		struct pcimap_entry *w;
		size_t same_node = 0;

		if (pcimap_entry_parse(&have, s->map.v[m], err, sizeof(err)) != 0)
			continue;   /* not reached: config_parse kept only valid lines */
		if ((w = find_node(want, n, have.node)) == NULL) {
			strv_push(map, s->map.v[m]);
			if (!strv_has(kept, have.node))
				strv_push(kept, have.node);
			pcimap_entry_release(&have);
			continue;
		}
		for (size_t j = 0; j < s->map.n; j++) {
			struct pcimap_entry o;
			if (pcimap_entry_parse(&o, s->map.v[j], err, sizeof(err)) == 0) {
				same_node += strcmp(o.node, have.node) == 0;
				pcimap_entry_release(&o);
			}
		}
		if (!placed[w - want]) {
			placed[w - want] = true;
			if (same_node == 1 && pcimap_entry_equal(&have, w)) {
				strv_push(map, s->map.v[m]);
			} else {
				char diff[512];
				pcimap_entry_difference(&have, w, diff, sizeof(diff));
				strv_push_own(map, pcimap_entry_format(w));
				if (same_node > 1)
					strv_push_own(changes, xasprintf("%s: %zu entries -> 1%s%s", w->node, same_node,
					                                 diff[0] ? ", " : "", diff));
				else
					strv_push_own(changes, xasprintf("%s: %s", w->node, diff[0] ? diff : "rewritten"));
			}
		}
		pcimap_entry_release(&have);
	}
	for (size_t k = 0; k < n; k++) {
		if (placed[k])
			continue;
		strv_push_own(map, pcimap_entry_format(&want[k]));
		strv_push_own(changes, xasprintf("%s: added", want[k].node));
	}
	free(placed);
}

/* Runs pvesh to make mapping `id` hold `map`: create, or set with the
 * digest of the file as read. */
static int run_pvesh(struct agent *ag, struct result *r, const char *id, const struct strv *map, bool exists,
                     const char *raw)
{
	const char **argv = xcalloc(2 * map->n + 8, sizeof(*argv));
	char *path = xasprintf("/cluster/mapping/pci/%s", id), digest[41];
	size_t a = 0;
	int rc;

	argv[a++] = "pvesh";
	argv[a++] = exists ? "set" : "create";
	argv[a++] = exists ? path : "/cluster/mapping/pci";
	if (!exists) {
		argv[a++] = "--id";
		argv[a++] = id;
	}
	for (size_t m = 0; m < map->n; m++) {
		argv[a++] = "--map";
		argv[a++] = map->v[m];
	}
	if (exists) {
		sha1_hex(raw ? raw : "", raw ? strlen(raw) : 0, digest);
		argv[a++] = "--digest";
		argv[a++] = digest;
	}
	argv[a] = NULL;
	rc = cmd_run(ag, r, argv, PVESH_TIMEOUT_S);
	free(argv);
	free(path);
	return rc;
}

/* After pvesh: the file read again must have the section with `map`. */
static int confirm_written(struct agent *ag, struct result *r, const char *id, const struct strv *map)
{
	struct config c = { 0 };
	char *raw = NULL;
	int ret = -1;

	if (node_read(ag, r, PCI_CFG, &raw) < 0)
		return -1;
	config_parse(&c, raw);
	for (size_t k = 0; k < c.n; k++) {
		if (strcmp(c.s[k].id, id) != 0 || c.s[k].dropped)
			continue;
		ret = c.s[k].map.n == map->n ? 0 : -1;
		for (size_t m = 0; ret == 0 && m < map->n; m++)
			ret = strcmp(c.s[k].map.v[m], map->v[m]) == 0 ? 0 : -1;
	}
	if (ret < 0)
		result_fail(r, "pvesh succeeded but %s does not hold mapping '%s' as written", PCI_CFG, id);
	config_release(&c);
	free(raw);
	return ret;
}

int step_pci_mapping(struct agent *ag, const struct step *st, struct result *r)
{
	const char *id = arg_string(st, "id");
	struct pcimap_entry *want = NULL;
	struct config c = { 0 };
	struct strv map = { 0 }, changes = { 0 }, kept = { 0 };
	struct section *sec = NULL;
	char *raw = NULL, *after = NULL, *joined;
	size_t n = 0;
	bool existed;
	int ret = -1;

	if (!id || !pcimap_valid_id(id))
		return result_fail(r, "'%s' is not a Proxmox configuration ID", id ? id : "");
	if (wanted_entries(st, r, &want, &n) < 0)
		return -1;
	if (node_read(ag, r, PCI_CFG, &raw) < 0)
		goto out;
	config_parse(&c, raw);
	for (size_t k = 0; k < c.n; k++)
		if (strcmp(c.s[k].id, id) == 0 && !c.s[k].dropped)
			sec = &c.s[k];
	merge_map(sec, want, n, &map, &changes, &kept);
	if (sec && changes.n == 0 && sec->bad_lines.n == 0) {
		joined = strv_join(&kept, ", ");
		result_msg(r, "mapping '%s' has the entries of the %zu node%s of this run%s%s%s", id, n, n == 1 ? "" : "s",
		           kept.n ? " (kept: " : "", joined, kept.n ? ")" : "");
		free(joined);
		ret = 0;
		goto out;
	}
	existed = sec != NULL;
	/* what pvesh will leave: the section's map replaced, or a new one */
	if (sec) {
		strv_release(&sec->map);
		sec->map = map;
		memset(&map, 0, sizeof(map));
	} else {
		c.s = xrealloc(c.s, (c.n + 1) * sizeof(*c.s));
		sec = &c.s[c.n++];
		memset(sec, 0, sizeof(*sec));
		sec->id = xstrdup(id);
		sec->map = map;
		memset(&map, 0, sizeof(map));
	}
	after = config_format(&c);
	if (ag->diff)
		result_add_diff(r, PCI_CFG, raw, after);
	result_set(r, ORCH_CHANGED);
	if (existed) {
		joined = strv_join(&changes, "; ");
		result_msg(r, "mapping '%s' updated: %s", id, changes.n ? joined : "the run's entries as they were");
	} else {
		struct strv names = { 0 };
		for (size_t k = 0; k < n; k++)
			strv_push(&names, want[k].node);
		joined = strv_join(&names, ", ");
		strv_release(&names);
		result_msg(r, "mapping '%s' created with the entries of %s", id, joined);
	}
	free(joined);
	for (size_t m = 0; m < sec->bad_lines.n; m++)
		result_msg(r, "dropped as Proxmox would: %s", sec->bad_lines.v[m]);
	if (kept.n) {
		joined = strv_join(&kept, ", ");
		result_msg(r, "kept the entries of %s (not in this run)", joined);
		free(joined);
	}
	if (run_pvesh(ag, r, id, &sec->map, existed, raw) != 0) {
		json_t *last = json_array_get(r->commands, json_array_size(r->commands) - 1);
		const char *output = json_string_value(json_object_get(last, "output"));
		char *why = xstrndup(output ? output : "", output ? strcspn(output, "\n") : 0);

		sb_release(&r->msg);
		sb_init(&r->msg);
		joined = strv_join(&changes, "; ");
		result_fail(r, "mapping '%s' not written: 'pvesh %s' failed (exit status %lld)%s%s; it was to change: %s", id,
		            existed ? "set" : "create", json_integer_value(json_object_get(last, "rc")),
		            why[0] ? ": " : "", why, joined);
		free(joined);
		free(why);
		goto out;
	}
	ret = ag->check ? 0 : confirm_written(ag, r, id, &sec->map);
out:
	for (size_t k = 0; k < n; k++)
		pcimap_entry_release(&want[k]);
	free(want);
	config_release(&c);
	strv_release(&map);
	strv_release(&changes);
	strv_release(&kept);
	free(raw);
	free(after);
	return ret;
}
