/*
 * Internals shared by the inventory's source files. Not installed, not part
 * of the contract in inventory.h.
 */
#ifndef ORCH_INVENTORY_PRIVATE_H
#define ORCH_INVENTORY_PRIVATE_H

#include <stddef.h>

#include <jansson.h>

#include "inventory.h"

/* Hosts one pattern of a host line may expand to, and hosts in one
 * inventory. ansible-core has no limits, but a typo like node[1:100000000]
 * should fail rather than eat the memory. */
#define INVENTORY_MAX_EXPANSION 100000
#define INVENTORY_MAX_HOSTS 1000000

/* A growable array of owned strings. */
struct strvec {
	char **v;
	size_t n, cap;
};
int strvec_push(struct strvec *sv, char *s);     /* takes S; frees it on failure */
int strvec_pushn(struct strvec *sv, const char *s, size_t len);
void strvec_clear(struct strvec *sv);

/* One variable as set on a group or a host. `text` is never NULL; `value` is
 * NULL when the text is the value (a string in JSON). `origin` is the file
 * that set it, interned in the inventory's `files`. */
struct var {
	char *key;
	char *text;
	json_t *value;
	const char *origin;
};

struct varlist {
	struct var *v;
	size_t n, cap;
};

/* A host's variable after precedence is applied; pointers borrowed from the
 * var that won. */
struct merged_var {
	const char *key;
	const char *text;
	const json_t *value;
	const char *origin;
	json_t *string_value;   /* owned: the JSON string made for `text` */
};

/* Open addressing from a name to an index. */
struct name_index {
	struct name_slot {
		const char *key;
		size_t idx;
	} *slots;
	size_t cap, n;
};

/* The index of KEY, NOT_FOUND when absent; KEY is borrowed until the index
 * is freed. */
size_t ni_get(const struct name_index *ni, const char *key);
int ni_put(struct name_index *ni, const char *key, size_t idx);

struct group {
	char *name;
	size_t *hosts, nhosts, chosts;          /* direct members, in order */
	size_t *children, nchildren, cchildren; /* in order added */
	size_t *parents, nparents, cparents;
	struct varlist vars;                    /* set by the inventory file */
	struct varlist *fvars;                  /* [nvarsdirs]: from group_vars/, or NULL */
	long long priority;                     /* ansible_group_priority */
	unsigned depth;                         /* longest path from `all` */
	size_t rank;                            /* position in (depth, priority, name) order */
	unsigned mark;                          /* traversal stamp */
};

struct host {
	char *name;
	size_t *groups, ngroups, cgroups;       /* direct memberships */
	struct varlist vars;                    /* set by the inventory file */
	struct varlist *fvars;                  /* [nvarsdirs]: from host_vars/, or NULL */
	/* taken out of `ungrouped` by the reconcile: Host.remove_group() drops
	 * it from the host's flat group list for good, even when a child of
	 * `ungrouped` the host is in still descends from it */
	unsigned char left_ungrouped;
	struct merged_var *merged;              /* sorted by key */
	size_t nmerged;
	unsigned mark;
};

struct inventory {
	char *filename;                         /* the first source */
	struct strvec files;                    /* every file read, interned: origins point here */
	struct name_index file_index;           /* into files */
	struct strvec warnings;
	/* directories holding group_vars/ and host_vars/, one per distinct
	 * directory; source S reads its vars files from source_varsdir[S] */
	size_t nvarsdirs;
	size_t *source_varsdir, nsources;
	const char *all_child_file;             /* where `all` was first made a child */
	size_t all_child_line;
	const char *ungrouped_child_file;       /* where `ungrouped` was first given a parent */
	size_t ungrouped_child_line;
	struct group *groups;
	size_t ngroups, cgroups;
	struct host *hosts;
	size_t nhosts, chosts;
	struct name_index group_index, host_index;
	unsigned stamp;                         /* last traversal stamp handed out */
};

enum section_state { ST_HOSTS, ST_CHILDREN, ST_VARS };

/* A group named before it is declared: [g:vars] or a :children entry.
 * Kept in insertion order like the Python dict, whose first leftover entry
 * is the error reported. */
struct pending {
	char *name;
	enum section_state state;
	size_t line;
	size_t *parents, nparents, cparents;
	int live;
};

/* What one inventory file is being read with: where messages point (line 0:
 * the file as a whole) and, for the ini plugin, its sections. `file` is
 * interned and is the origin of what the file sets. */
struct parser {
	struct inventory *inv;
	const char *file;
	size_t line;
	char *err;
	size_t errlen;
	size_t group;                   /* the current section's group */
	enum section_state state;
	struct pending *pend;
	size_t npend, cpend;
};

#define GROUP_ALL 0
#define GROUP_UNGROUPED 1
#define NOT_FOUND ((size_t)-1)

size_t inventory_find_group(const struct inventory *inv, const char *name);
size_t inventory_find_host(const struct inventory *inv, const char *name);
/* Hosts of group G and its descendants, the order group.get_hosts() gives. */
int inventory_group_hosts(const struct inventory *inv, size_t g, size_t **out, size_t *n);

int varlist_set(struct varlist *vl, const char *key, const char *text, json_t *value, const char *origin);

/* "FILE:LINE: message" (or "FILE: message" when LINE is 0) into P's err; -1. */
__attribute__((format(printf, 2, 3))) int inv_perr(struct parser *p, const char *fmt, ...);

/* An inventory holding only `all` and `ungrouped`, as InventoryData starts. */
struct inventory *inv_new(void);
/* Appends a group; its index, or NOT_FOUND when out of memory. */
size_t inv_group_add(struct inventory *inv, const char *name);
/* Group.add_child_group(), InventoryData.add_host(), set_variable(). */
int inv_add_child_group(struct parser *p, size_t parent, size_t child);
int inv_add_host_to_group(struct inventory *inv, size_t h, size_t g);
int inv_add_host(struct parser *p, const char *name, size_t g, const char *port);
int inv_set_entity_var(struct parser *p, const char *name, const char *key, const char *raw, json_t *value);
/* The ini plugin on one file's text, into INV. */
int inv_parse_ini(struct inventory *inv, const char *file, const char *text, size_t len, char *err,
		  size_t errlen);
/* InventoryData.reconcile_inventory(), then group depths. */
int inv_finish(struct inventory *inv, char *err, size_t errlen);
/* Every host's variables with Ansible's precedence. */
int inv_merge_vars(struct inventory *inv);
/* The whole file at PATH, NUL-terminated (one byte more than *outlen). */
int inv_read_file(const char *path, char **out, size_t *outlen, char *err, size_t errlen);

/* ---- sources.c ---- */

/* PATH's copy in inv->files (added once), or NULL when out of memory. */
const char *inv_intern(struct inventory *inv, const char *path);
/* Appends "message" to inv->warnings; -1 when out of memory. */
__attribute__((format(printf, 2, 3))) int inv_warn(struct inventory *inv, const char *fmt, ...);
/* Python's bool() of the value V stands for. */
int inv_json_truthy(const json_t *v);

/* ---- yaml_plugin.c ---- */

/* Ansible's `yaml` inventory plugin on DATA, the content inv_yaml_parse()
 * loaded from the LEN bytes of TEXT read from FILE (interned), into INV.
 * -1 with "FILE: message" in err. */
int inv_parse_yaml_inventory(struct inventory *inv, const char *file, const char *text, size_t len,
			     const json_t *data, char *err, size_t errlen);

/* ---- ini_syntax.c: Python's text rules, as ansible-core relies on them ---- */

/* Length of the Python whitespace character at S (str.isspace()), 0 if none. */
size_t py_space_len(const char *s, const char *end);
/* Length of a str.splitlines() line break at S, 0 if none. */
size_t py_linebreak_len(const char *s, const char *end);
/* Length of a \w character at S (Unicode letters and digits, `_`), 0 if none.
 * Non-ASCII characters count as word characters. */
size_t py_word_len(const char *s, const char *end);
/* Python str.strip() of [*s, *e): moves both ends inwards. */
void py_strip(const char **s, const char **e);
/* 1 when [s, s+len) is well-formed UTF-8 as Python's strict decoder wants it. */
int utf8_valid(const char *s, size_t len);

/* shlex.split(s, comments=True). 0 with tokens appended to OUT; -1 with
 * Python's message ("No closing quotation") in *why. */
int py_shlex_split(const char *s, size_t len, struct strvec *out, const char **why);

/* ansible.parsing.utils.addresses.parse_address(s, allow_ranges=True):
 * 0 with *host (malloc) and *port (malloc'd decimal, NULL when none); -1 when
 * S is not a host identifier. */
int parse_address(const char *s, char **host, char **port);

/* The ini plugin's _expand_hostpattern(): the host names of one host-line
 * pattern and its port (malloc'd decimal or NULL). -1 with a message in WHY. */
int ini_expand_hostpattern(const char *pattern, struct strvec *names, char **port, char *why,
			   size_t whylen);
/* BaseInventoryPlugin._expand_hostpattern(), which the yaml plugin uses: the
 * same without the ini plugin's checks for a trailing ':' and '---'. */
int expand_hostpattern(const char *pattern, struct strvec *names, char **port, char *why, size_t whylen);

/* Python int(s) for a str: 0 with *out, -1 when Python raises ValueError or
 * the value does not fit in a long long (*overflow set then). */
int py_int(const char *s, long long *out, int *overflow);

/* ---- pyliteral.c ---- */

/* ast.literal_eval() of [s, s+len) as ansible-core's ini plugin applies it,
 * as JSON: a new reference, or NULL when Python does not accept the text as
 * a literal (the text then stays a string) or its value has no JSON form
 * here (complex, set, integers beyond 64 bits, infinities). */
json_t *py_literal_eval(const char *s, size_t len);

/* Python's str() of the value Ansible holds for V: a string itself (also
 * an `!unsafe` one, {"__ansible_unsafe": s}), True, False, None, 22, 1.5,
 * lists and dicts as their repr. malloc'd; NULL when out of memory. */
char *py_str(const json_t *v);

#endif
