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
 * NULL when the text is the value (a string in JSON). */
struct var {
	char *key;
	char *text;
	json_t *value;
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

struct group {
	char *name;
	size_t *hosts, nhosts, chosts;          /* direct members, in order */
	size_t *children, nchildren, cchildren; /* in order added */
	size_t *parents, nparents, cparents;
	struct varlist vars;
	long long priority;                     /* ansible_group_priority */
	unsigned depth;                         /* longest path from `all` */
	size_t rank;                            /* position in (depth, priority, name) order */
	unsigned mark;                          /* traversal stamp */
};

struct host {
	char *name;
	size_t *groups, ngroups, cgroups;       /* direct memberships */
	struct varlist vars;
	struct merged_var *merged;              /* sorted by key */
	size_t nmerged;
	unsigned mark;
};

struct inventory {
	char *filename;
	struct group *groups;
	size_t ngroups, cgroups;
	struct host *hosts;
	size_t nhosts, chosts;
	struct name_index group_index, host_index;
	unsigned stamp;                         /* last traversal stamp handed out */
};

#define GROUP_ALL 0
#define GROUP_UNGROUPED 1
#define NOT_FOUND ((size_t)-1)

size_t inventory_find_group(const struct inventory *inv, const char *name);
size_t inventory_find_host(const struct inventory *inv, const char *name);
/* Hosts of group G and its descendants, the order group.get_hosts() gives. */
int inventory_group_hosts(const struct inventory *inv, size_t g, size_t **out, size_t *n);

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

/* Python int(s) for a str: 0 with *out, -1 when Python raises ValueError or
 * the value does not fit in a long long (*overflow set then). */
int py_int(const char *s, long long *out, int *overflow);

/* ---- pyliteral.c ---- */

/* ast.literal_eval() of [s, s+len) as ansible-core's ini plugin applies it,
 * as JSON: a new reference, or NULL when Python does not accept the text as
 * a literal (the text then stays a string) or its value has no JSON form
 * here (complex, set, integers beyond 64 bits, infinities). */
json_t *py_literal_eval(const char *s, size_t len);

#endif
