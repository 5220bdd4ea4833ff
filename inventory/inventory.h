/*
 * Ansible inventories, read with the meaning ansible-core gives them.
 *
 * Sources are read as `ansible-inventory -i S1 -i S2 ... --list` reads them:
 * INI files the way the `ini` plugin parses them (sections, children,
 * ranges, host:port, shlex quoting, values evaluated as Python literals),
 * YAML and JSON files the way the `yaml` plugin does, directories of such
 * files, then reconciled like Ansible's InventoryData (implicit `all` and
 * `ungrouped`), with the group_vars/ and host_vars/ beside each source.
 * Every variable is kept twice: as the JSON value Ansible would produce and
 * as a string for callers that validate values themselves, and knows the
 * file that set it.
 *
 * A `struct inventory` owns every string and JSON value it hands out; they
 * live until inventory_free(). It is never modified after loading, so one
 * inventory may be read from several threads at once.
 */
#ifndef ORCH_INVENTORY_H
#define ORCH_INVENTORY_H

#include <stddef.h>

#include <jansson.h>

struct inventory;

/* Reads the INI file at PATH, alone: no vars files, no other plugin.
 * 0 on success with *out set; -1 with "FILE:LINE: message" (or "FILE:
 * message" when the file cannot be read) in err. */
int inventory_load(struct inventory **out, const char *path, char *err, size_t errlen);

/* Parses LEN bytes of TEXT as one INI file; FILENAME is used in messages
 * and as the origin of its variables. 0 on success with *out set; -1 with
 * "FILE:LINE: message" in err. */
int inventory_parse(struct inventory **out, const char *filename, const char *text, size_t len,
		    char *err, size_t errlen);

/* Reads the inventory sources at PATHS[0..N) as `ansible-inventory -i P1
 * -i P2 ...` reads them: each a file (INI, or YAML/JSON in the format of
 * Ansible's `yaml` inventory plugin) or a directory of such files (sorted,
 * recursive, without the names INVENTORY_IGNORE_EXTS skips: *.ini among
 * them), merged in order, each with the group_vars/ and host_vars/
 * directories beside it (beside a file: in its directory; a directory: in
 * it). Refused, where Ansible would run, decrypt or merely warn: inventory
 * scripts, inventory plugin configurations, TOML, vault-encrypted files, a
 * file no plugin reads, a source read as nothing. File names in messages and
 * origins are the paths as given, joined ("inv/group_vars/pve.yml").
 * 0 on success with *out set; -1 with "FILE:LINE: message" (or
 * "FILE: message") in err. */
int inventory_load_sources(struct inventory **out, const char *const *paths, size_t n, char *err,
			   size_t errlen);

/* Frees INV and everything it handed out. NULL is fine. */
void inventory_free(struct inventory *inv);

/* Number of hosts; hosts are indexed in the order the file first names them. */
size_t inventory_host_count(const struct inventory *inv);

/* Name of host I (0 <= I < inventory_host_count). */
const char *inventory_host_name(const struct inventory *inv, size_t i);

/* Merged value of KEY for host I, or NULL when unset. Precedence is
 * VariableManager.get_vars()'s: the inventory's group vars (all < parent
 * group < child group, groups ordered like Ansible: depth, then
 * ansible_group_priority, then name), then group_vars/ files (all first,
 * then the groups in the same order; a later source's over an earlier
 * one's), then the host's inventory vars, then host_vars/ files. Strings
 * come back unquoted ("a b" for x="a b"); other values of an INI file keep
 * the text written there ("True", "22", "[1, 2]"), those of YAML and JSON
 * come as Python's str() shows them ("True", "None", "22", "1.5",
 * "[1, 'a']", "{'k': 'v'}"). */
const char *inventory_host_var(const struct inventory *inv, size_t i, const char *key);

/* The same variable as the JSON value ansible-inventory shows for it, or NULL
 * when unset: a `!vault` value as {"__ansible_vault": "<ciphertext>"}, an
 * `!unsafe` string as {"__ansible_unsafe": "<text>"} (which
 * inventory_host_var() gives as the text). Borrowed: valid until
 * inventory_free(), do not modify. */
const json_t *inventory_host_var_json(const struct inventory *inv, size_t i, const char *key);

/* The file that set the value of KEY that host I gets ("hosts.ini",
 * "inventory/group_vars/pve.yml"), or NULL when unset. Borrowed, like every
 * origin: valid until inventory_free(). */
const char *inventory_host_var_origin(const struct inventory *inv, size_t i, const char *key);

/* Calls FN for every variable set anywhere in the inventory (on a group, on
 * a host, in a vars file) with its key and the file that set it, once per
 * file and key, whether or not it wins for any host. Vars files Ansible does
 * not read (of a group no host is in, of an unknown group or host) are not
 * reported. */
void inventory_each_var(const struct inventory *inv,
			void (*fn)(const char *key, const char *origin, void *ctx), void *ctx);

/* What reading the inventory warned about, each "FILE: message" (or
 * "FILE:LINE:COL: message"): what Ansible warns about (keys given twice,
 * keys the yaml plugin skips, a group_vars that is no directory) and what it
 * passes over in silence (files a directory source skips, vars files of
 * unknown groups and hosts or shadowed by another form of the same name,
 * group_vars/ below a directory source). Index K < inventory_warning_count(). */
size_t inventory_warning_count(const struct inventory *inv);
const char *inventory_warning(const struct inventory *inv, size_t k);

/* Number of merged variables of host I; inventory_host_var_at() returns them
 * sorted by key (byte order), J < inventory_host_var_count(). */
size_t inventory_host_var_count(const struct inventory *inv, size_t i);
void inventory_host_var_at(const struct inventory *inv, size_t i, size_t j, const char **key,
			   const char **value);

/* Number of groups, including `all` and `ungrouped`, in the order the file
 * first names them (`all`, `ungrouped` first). */
size_t inventory_group_count(const struct inventory *inv);
const char *inventory_group_name(const struct inventory *inv, size_t g);

/*
 * Host patterns as `ansible --limit` takes them: host and group names, `all`
 * and `*`, shell globs, `~regex` (POSIX extended, anchored at the start like
 * Python's re.match), subscripts `web[0]`, `web[1:3]`, unions with `,` or `:`,
 * `&` intersections and `!` exclusions. SELECTED must have
 * inventory_host_count() entries: each is set to 1 when host i matches and to
 * 0 otherwise. 0 on success; -1 with a message in err (and SELECTED left as
 * it was) when a pattern is invalid or a part of it matches no host nor group.
 */
int inventory_match(const struct inventory *inv, const char *pattern, unsigned char *selected,
		    char *err, size_t errlen);

/* A new reference to the JSON `ansible-inventory -i SOURCE... --list`
 * prints for this inventory, values with their JSON types, or NULL when out
 * of memory. */
json_t *inventory_to_json(const struct inventory *inv);

/*
 * The group tree as Ansible holds it (inventory/graph.c), for printing it the
 * way `ansible-inventory --graph` does.
 */

/* Index of the group named NAME, or (size_t)-1 when there is none. */
size_t inventory_group_find(const struct inventory *inv, const char *name);

/* Direct child groups of group G, in the order they were added (Ansible's
 * group.child_groups): K < inventory_group_child_count(); returns a group
 * index. */
size_t inventory_group_child_count(const struct inventory *inv, size_t g);
size_t inventory_group_child(const struct inventory *inv, size_t g, size_t k);

/* Direct member hosts of group G, in the order they were added (Ansible's
 * group.hosts): K < inventory_group_member_count(); returns a host index. */
size_t inventory_group_member_count(const struct inventory *inv, size_t g);
size_t inventory_group_member(const struct inventory *inv, size_t g, size_t k);

#endif
