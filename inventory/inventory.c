/*
 * The inventory model and the ini parser, after ansible-core 2.14's
 * plugins/inventory/ini.py, inventory/data.py, inventory/group.py and the
 * variable merge of vars/manager.py. Where Ansible has a rule that looks
 * accidental (an undefined child group is an error, a host named like a group
 * gives its inline vars to the group), it is kept: the same file must mean
 * the same thing to orch and to ansible-inventory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_private.h"

/* ---- name index ---- */

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

size_t
ni_get(const struct name_index *ni, const char *key)
{
	size_t i;

	if (ni->cap == 0)
		return NOT_FOUND;
	for (i = hash_str(key) & (ni->cap - 1); ni->slots[i].key; i = (i + 1) & (ni->cap - 1)) {
		if (strcmp(ni->slots[i].key, key) == 0)
			return ni->slots[i].idx;
	}
	return NOT_FOUND;
}

int
ni_put(struct name_index *ni, const char *key, size_t idx)
{
	size_t i;

	if ((ni->n + 1) * 2 > ni->cap) {
		size_t cap = ni->cap ? ni->cap * 2 : 64;
		struct name_slot *slots = calloc(cap, sizeof(*slots));

		if (slots == NULL)
			return -1;
		for (size_t j = 0; j < ni->cap; j++) {
			if (ni->slots[j].key == NULL)
				continue;
			for (i = hash_str(ni->slots[j].key) & (cap - 1); slots[i].key; i = (i + 1) & (cap - 1))
				;
			slots[i] = ni->slots[j];
		}
		free(ni->slots);
		ni->slots = slots;
		ni->cap = cap;
	}
	for (i = hash_str(key) & (ni->cap - 1); ni->slots[i].key; i = (i + 1) & (ni->cap - 1))
		;
	ni->slots[i].key = key;
	ni->slots[i].idx = idx;
	ni->n++;
	return 0;
}

/* ---- small growable arrays ---- */

static int
idx_push(size_t **v, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 4;
		size_t *nv = realloc(*v, c * sizeof(*nv));

		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int
idx_has(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == x)
			return 1;
	}
	return 0;
}

static void
idx_remove(size_t *v, size_t *n, size_t x)
{
	for (size_t i = 0; i < *n; i++) {
		if (v[i] == x) {
			memmove(v + i, v + i + 1, (*n - i - 1) * sizeof(*v));
			(*n)--;
			return;
		}
	}
}

/* ---- variables ---- */

static void
varlist_free(struct varlist *vl)
{
	for (size_t i = 0; i < vl->n; i++) {
		free(vl->v[i].key);
		free(vl->v[i].text);
		json_decref(vl->v[i].value);
	}
	free(vl->v);
}

/* Python dict assignment: a new key goes last, an existing one keeps its place. */
int
varlist_set(struct varlist *vl, const char *key, const char *text, json_t *value, const char *origin)
{
	struct var *v = NULL;
	char *t;

	for (size_t i = 0; i < vl->n; i++) {
		if (strcmp(vl->v[i].key, key) == 0) {
			v = &vl->v[i];
			break;
		}
	}
	if ((t = strdup(text)) == NULL)
		return -1;
	if (v == NULL) {
		if (vl->n == vl->cap) {
			size_t cap = vl->cap ? vl->cap * 2 : 4;
			struct var *nv = realloc(vl->v, cap * sizeof(*nv));

			if (nv == NULL) {
				free(t);
				return -1;
			}
			vl->v = nv;
			vl->cap = cap;
		}
		v = &vl->v[vl->n];
		if ((v->key = strdup(key)) == NULL) {
			free(t);
			return -1;
		}
		v->text = NULL;
		v->value = NULL;
		vl->n++;
	}
	free(v->text);
	json_decref(v->value);
	v->text = t;
	v->value = json_incref(value);
	v->origin = origin;
	return 0;
}

/* ---- groups and hosts ---- */

size_t
inventory_find_group(const struct inventory *inv, const char *name)
{
	return ni_get(&inv->group_index, name);
}

size_t
inventory_find_host(const struct inventory *inv, const char *name)
{
	return ni_get(&inv->host_index, name);
}

static unsigned
next_stamp(struct inventory *inv)
{
	if (++inv->stamp == 0) {
		for (size_t i = 0; i < inv->ngroups; i++)
			inv->groups[i].mark = 0;
		for (size_t i = 0; i < inv->nhosts; i++)
			inv->hosts[i].mark = 0;
		inv->stamp = 1;
	}
	return inv->stamp;
}

size_t
inv_group_add(struct inventory *inv, const char *name)
{
	struct group *g;

	if (inv->ngroups == inv->cgroups) {
		size_t cap = inv->cgroups ? inv->cgroups * 2 : 16;
		struct group *ng = realloc(inv->groups, cap * sizeof(*ng));

		if (ng == NULL)
			return NOT_FOUND;
		inv->groups = ng;
		inv->cgroups = cap;
	}
	g = &inv->groups[inv->ngroups];
	memset(g, 0, sizeof(*g));
	g->priority = 1;
	if ((g->name = strdup(name)) == NULL)
		return NOT_FOUND;
	if (ni_put(&inv->group_index, g->name, inv->ngroups) < 0) {
		free(g->name);
		return NOT_FOUND;
	}
	return inv->ngroups++;
}

static size_t
host_add(struct inventory *inv, const char *name)
{
	struct host *h;

	if (inv->nhosts == inv->chosts) {
		size_t cap = inv->chosts ? inv->chosts * 2 : 16;
		struct host *nh = realloc(inv->hosts, cap * sizeof(*nh));

		if (nh == NULL)
			return NOT_FOUND;
		inv->hosts = nh;
		inv->chosts = cap;
	}
	h = &inv->hosts[inv->nhosts];
	memset(h, 0, sizeof(*h));
	if ((h->name = strdup(name)) == NULL)
		return NOT_FOUND;
	if (ni_put(&inv->host_index, h->name, inv->nhosts) < 0) {
		free(h->name);
		return NOT_FOUND;
	}
	return inv->nhosts++;
}

void
inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	for (size_t i = 0; i < inv->ngroups; i++) {
		struct group *g = &inv->groups[i];

		free(g->name);
		free(g->hosts);
		free(g->children);
		free(g->parents);
		varlist_free(&g->vars);
		for (size_t d = 0; g->fvars && d < inv->nvarsdirs; d++)
			varlist_free(&g->fvars[d]);
		free(g->fvars);
	}
	for (size_t i = 0; i < inv->nhosts; i++) {
		struct host *h = &inv->hosts[i];

		free(h->name);
		free(h->groups);
		varlist_free(&h->vars);
		for (size_t d = 0; h->fvars && d < inv->nvarsdirs; d++)
			varlist_free(&h->fvars[d]);
		free(h->fvars);
		for (size_t j = 0; j < h->nmerged; j++)
			json_decref(h->merged[j].string_value);
		free(h->merged);
	}
	free(inv->groups);
	free(inv->hosts);
	free(inv->group_index.slots);
	free(inv->host_index.slots);
	free(inv->filename);
	strvec_clear(&inv->files);
	free(inv->file_index.slots);
	strvec_clear(&inv->warnings);
	free(inv->source_varsdir);
	free(inv);
}

/* ---- the parser ---- */

int
inv_perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->errlen == 0)
		return -1;
	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%zu: ", p->file, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->file);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

#define perr inv_perr

static int
oom(struct parser *p)
{
	return perr(p, "out of memory");
}

static struct pending *
pending_find(struct parser *p, const char *name)
{
	for (size_t i = 0; i < p->npend; i++) {
		if (p->pend[i].live && strcmp(p->pend[i].name, name) == 0)
			return &p->pend[i];
	}
	return NULL;
}

static struct pending *
pending_add(struct parser *p, const char *name, enum section_state state)
{
	struct pending *pd;

	if (p->npend == p->cpend) {
		size_t cap = p->cpend ? p->cpend * 2 : 8;
		struct pending *np = realloc(p->pend, cap * sizeof(*np));

		if (np == NULL)
			return NULL;
		p->pend = np;
		p->cpend = cap;
	}
	pd = &p->pend[p->npend];
	memset(pd, 0, sizeof(*pd));
	if ((pd->name = strdup(name)) == NULL)
		return NULL;
	pd->state = state;
	pd->line = p->line;
	pd->live = 1;
	p->npend++;
	return pd;
}

static void
pending_free(struct parser *p)
{
	for (size_t i = 0; i < p->npend; i++) {
		free(p->pend[i].name);
		free(p->pend[i].parents);
	}
	free(p->pend);
}

/* 1 when group A is an ancestor of group G */
static int
is_ancestor(struct inventory *inv, size_t a, size_t g)
{
	unsigned stamp = next_stamp(inv);
	size_t *stack = NULL, n = 0, cap = 0;
	int found = 0;

	for (size_t i = 0; i < inv->groups[g].nparents; i++) {
		if (idx_push(&stack, &n, &cap, inv->groups[g].parents[i]) < 0) {
			found = -1;
			goto out;
		}
	}
	while (n > 0) {
		size_t x = stack[--n];
		struct group *gx = &inv->groups[x];

		if (gx->mark == stamp)
			continue;
		gx->mark = stamp;
		if (x == a) {
			found = 1;
			break;
		}
		for (size_t i = 0; i < gx->nparents; i++) {
			if (idx_push(&stack, &n, &cap, gx->parents[i]) < 0) {
				found = -1;
				goto out;
			}
		}
	}
out:
	free(stack);
	return found;
}

/* Group.add_child_group() */
int
inv_add_child_group(struct parser *p, size_t parent, size_t child)
{
	struct inventory *inv = p->inv;
	struct group *gp = &inv->groups[parent], *gc = &inv->groups[child];
	int anc;

	if (parent == child)
		return perr(p, "group '%s' cannot be a child of itself", gp->name);
	if (idx_has(gp->children, gp->nchildren, child))
		return 0;
	if ((anc = is_ancestor(inv, child, parent)) < 0)
		return oom(p);
	if (anc)
		return perr(p, "adding group '%s' as child to '%s' creates a recursive dependency loop",
			    gc->name, gp->name);
	if (idx_push(&gp->children, &gp->nchildren, &gp->cchildren, child) < 0 ||
	    idx_push(&gc->parents, &gc->nparents, &gc->cparents, parent) < 0)
		return oom(p);
	if (child == GROUP_UNGROUPED && parent != GROUP_ALL && inv->ungrouped_child_file == NULL) {
		inv->ungrouped_child_file = p->file;
		inv->ungrouped_child_line = p->line;
	}
	if (child == GROUP_ALL && inv->all_child_file == NULL) {
		inv->all_child_file = p->file;
		inv->all_child_line = p->line;
	}
	return 0;
}

int
inv_add_host_to_group(struct inventory *inv, size_t h, size_t g)
{
	struct host *host = &inv->hosts[h];
	struct group *group = &inv->groups[g];

	if (idx_has(host->groups, host->ngroups, g))
		return 0;
	if (idx_push(&group->hosts, &group->nhosts, &group->chosts, h) < 0 ||
	    idx_push(&host->groups, &host->ngroups, &host->cgroups, g) < 0)
		return -1;
	return 0;
}

/* The text a variable shows as a string: a string value unquoted, any
 * other value as written. */
static const char *
var_text(const char *raw, const json_t *value)
{
	return json_is_string(value) ? json_string_value(value) : raw;
}

/* Group.set_variable(): ansible_group_priority is not a variable but the
 * group's rank among its siblings, converted with Python's int(). */
static int
set_group_var(struct parser *p, size_t g, const char *key, const char *raw, json_t *value)
{
	struct group *group = &p->inv->groups[g];

	if (strcmp(key, "ansible_group_priority") == 0) {
		long long prio;
		int overflow;

		/* an `!unsafe` string is a str to int() too; RAW is its text */
		if (value == NULL || json_is_string(value) || json_is_string(json_object_get(value, "__ansible_unsafe"))) {
			if (py_int(var_text(raw, value), &prio, &overflow) < 0)
				return perr(p, "invalid ansible_group_priority '%s' for group '%s': not an integer",
					    raw, group->name);
		} else if (json_is_integer(value)) {
			prio = json_integer_value(value);
		} else if (json_is_real(value) && json_real_value(value) > -9.2e18 &&
			   json_real_value(value) < 9.2e18) {
			prio = (long long)json_real_value(value);
		} else if (json_is_boolean(value)) {
			prio = json_is_true(value);
		} else {
			return perr(p, "invalid ansible_group_priority '%s' for group '%s': not an integer", raw,
				    group->name);
		}
		group->priority = prio;
		return 0;
	}
	if (varlist_set(&group->vars, key, var_text(raw, value), value, p->file) < 0)
		return oom(p);
	return 0;
}

/* InventoryData.set_variable() looks the name up among groups first, so a
 * host named like a group hands its inline variables to the group. */
int
inv_set_entity_var(struct parser *p, const char *name, const char *key, const char *raw, json_t *value)
{
	size_t g = inventory_find_group(p->inv, name), h;

	if (g != NOT_FOUND)
		return set_group_var(p, g, key, raw, value);
	h = inventory_find_host(p->inv, name);
	if (varlist_set(&p->inv->hosts[h].vars, key, var_text(raw, value), value, p->file) < 0)
		return oom(p);
	return 0;
}

/* InventoryData.add_host(): the port only counts when the host is new. */
int
inv_add_host(struct parser *p, const char *name, size_t g, const char *port)
{
	struct inventory *inv = p->inv;
	size_t h;

	if (*name == '\0')
		return perr(p, "empty host name");
	if ((h = inventory_find_host(inv, name)) == NOT_FOUND) {
		if (inv->nhosts >= INVENTORY_MAX_HOSTS)
			return perr(p, "more than %d hosts", INVENTORY_MAX_HOSTS);
		if ((h = host_add(inv, name)) == NOT_FOUND)
			return oom(p);
		if (port && strcmp(port, "0") != 0) {
			long long v;
			int overflow;
			json_t *j = py_int(port, &v, &overflow) == 0 ? json_integer(v) : NULL;
			int r = varlist_set(&inv->hosts[h].vars, "ansible_port", port, j, p->file);

			json_decref(j);
			if (r < 0)
				return oom(p);
		}
	}
	if (inv_add_host_to_group(inv, h, g) < 0)
		return oom(p);
	return 0;
}

/* ^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:\#.*)?$ */
static int
match_section(const char *s, const char *e, const char **name, size_t *nlen, const char **tag,
	      size_t *tlen)
{
	const char *p = s + 1, *q;
	size_t n;

	if (s >= e || *s != '[')
		return 0;
	while (p < e && *p != ':' && *p != ']' && !py_space_len(p, e))
		p++;
	if (p == s + 1)
		return 0;
	*name = s + 1;
	*nlen = (size_t)(p - s - 1);
	*tag = NULL;
	*tlen = 0;
	if (p < e && *p == ':') {
		for (q = p + 1; q < e && (n = py_word_len(q, e)) != 0; q += n)
			;
		if (q == p + 1)
			return 0;
		*tag = p + 1;
		*tlen = (size_t)(q - p - 1);
		p = q;
	}
	if (p >= e || *p != ']')
		return 0;
	for (p++; p < e && (n = py_space_len(p, e)) != 0; p += n)
		;
	return p == e || *p == '#';
}

/* ^([^:\]\s]+)\s*(?:\#.*)?$ -- with the regex's backtracking: "a#b" is
 * the group "a#b", but "a#b:c" is the group "a" and a comment. */
static int
match_group_name(const char *s, const char *e, const char **name, size_t *len)
{
	const char *p = s, *q, *hash = NULL;
	size_t n;

	while (p < e && *p != ':' && *p != ']' && !py_space_len(p, e)) {
		if (*p == '#' && p > s)
			hash = p;
		p++;
	}
	if (p == s)
		return 0;
	for (q = p; q < e && (n = py_space_len(q, e)) != 0; q += n)
		;
	*name = s;
	if (q == e || *q == '#') {
		*len = (size_t)(p - s);
		return 1;
	}
	if (hash) {
		*len = (size_t)(hash - s);
		return 1;
	}
	return 0;
}

static int
add_pending_children(struct parser *p, struct pending *pd)
{
	size_t g = inventory_find_group(p->inv, pd->name);

	for (size_t i = 0; i < pd->nparents; i++) {
		struct pending *pp;

		if (inv_add_child_group(p, pd->parents[i], g) < 0)
			return -1;
		pp = pending_find(p, p->inv->groups[pd->parents[i]].name);
		if (pp && pp != pd && pp->state == ST_CHILDREN && add_pending_children(p, pp) < 0)
			return -1;
	}
	pd->live = 0;
	return 0;
}

static int
section(struct parser *p, const char *name, const char *tag)
{
	struct pending *pd;
	enum section_state state;
	size_t g;

	if (tag == NULL || strcmp(tag, "hosts") == 0)
		state = ST_HOSTS;
	else if (strcmp(tag, "children") == 0)
		state = ST_CHILDREN;
	else if (strcmp(tag, "vars") == 0)
		state = ST_VARS;
	else
		return perr(p, "section '[%s:%s]' has unknown type '%s'", name, tag, tag);

	if ((g = inventory_find_group(p->inv, name)) == NOT_FOUND) {
		/* [g:vars] alone does not declare g; it must show up as [g] or [g:children] */
		if (state == ST_VARS && pending_find(p, name) == NULL && pending_add(p, name, ST_VARS) == NULL)
			return oom(p);
		if ((g = inv_group_add(p->inv, name)) == NOT_FOUND)
			return oom(p);
	}
	if (state != ST_VARS && (pd = pending_find(p, name)) != NULL) {
		if (pd->state == ST_CHILDREN) {
			if (add_pending_children(p, pd) < 0)
				return -1;
		} else {
			pd->live = 0;
		}
	}
	p->group = g;
	p->state = state;
	return 0;
}

static int
host_line(struct parser *p, const char *line)
{
	struct strvec tokens = { 0 }, names = { 0 }, keys = { 0 }, raws = { 0 };
	json_t **values = NULL;
	char *port = NULL, why[1024];
	const char *shwhy;
	int r = -1;

	if (py_shlex_split(line, strlen(line), &tokens, &shwhy) < 0) {
		perr(p, "error parsing host definition '%s': %s", line, shwhy);
		goto out;
	}
	if (tokens.n == 0) {
		perr(p, "empty host definition");
		goto out;
	}
	if (ini_expand_hostpattern(tokens.v[0], &names, &port, why, sizeof(why)) < 0) {
		perr(p, "%s", why);
		goto out;
	}
	if ((values = calloc(tokens.n, sizeof(*values))) == NULL) {
		oom(p);
		goto out;
	}
	for (size_t i = 1; i < tokens.n; i++) {
		char *eq = strchr(tokens.v[i], '=');
		size_t k;

		if (eq == NULL) {
			perr(p, "expected key=value host variable assignment, got '%s'", tokens.v[i]);
			goto out;
		}
		*eq = '\0';
		/* a dict: a repeated key keeps its first place and its last value */
		for (k = 0; k < keys.n && strcmp(keys.v[k], tokens.v[i]) != 0; k++)
			;
		if (k == keys.n && (strvec_pushn(&keys, tokens.v[i], strlen(tokens.v[i])) < 0 ||
				    strvec_pushn(&raws, "", 0) < 0)) {
			oom(p);
			goto out;
		}
		free(raws.v[k]);
		json_decref(values[k]);
		values[k] = py_literal_eval(eq + 1, strlen(eq + 1));
		if ((raws.v[k] = strdup(eq + 1)) == NULL) {
			oom(p);
			goto out;
		}
	}
	for (size_t i = 0; i < names.n; i++) {
		if (inv_add_host(p, names.v[i], p->group, port) < 0)
			goto out;
		for (size_t k = 0; k < keys.n; k++) {
			if (inv_set_entity_var(p, names.v[i], keys.v[k], raws.v[k], values[k]) < 0)
				goto out;
		}
	}
	r = 0;
out:
	for (size_t k = 0; values && k < tokens.n; k++)
		json_decref(values[k]);
	free(values);
	free(port);
	strvec_clear(&tokens);
	strvec_clear(&names);
	strvec_clear(&keys);
	strvec_clear(&raws);
	return r;
}

static int
vars_line(struct parser *p, const char *line)
{
	const char *eq = strchr(line, '='), *ks = line, *ke = eq, *vs, *ve;
	char *key = NULL, *raw = NULL;
	json_t *value = NULL;
	int r = -1;

	if (eq == NULL)
		return perr(p, "expected key=value, got '%s'", line);
	vs = eq + 1;
	ve = line + strlen(line);
	py_strip(&ks, &ke);
	py_strip(&vs, &ve);
	if ((key = strndup(ks, (size_t)(ke - ks))) == NULL || (raw = strndup(vs, (size_t)(ve - vs))) == NULL) {
		oom(p);
		goto out;
	}
	value = py_literal_eval(raw, strlen(raw));
	r = set_group_var(p, p->group, key, raw, value);
out:
	json_decref(value);
	free(key);
	free(raw);
	return r;
}

static int
children_line(struct parser *p, const char *line)
{
	const char *name;
	size_t len, c;
	char *child;
	int r = -1;

	if (!match_group_name(line, line + strlen(line), &name, &len))
		return perr(p, "expected group name, got '%s'", line);
	if ((child = strndup(name, len)) == NULL)
		return oom(p);
	if ((c = inventory_find_group(p->inv, child)) == NOT_FOUND) {
		struct pending *pd = pending_find(p, child);

		if (pd == NULL && (pd = pending_add(p, child, ST_CHILDREN)) == NULL) {
			oom(p);
			goto out;
		}
		if (idx_push(&pd->parents, &pd->nparents, &pd->cparents, p->group) < 0) {
			oom(p);
			goto out;
		}
	} else if (inv_add_child_group(p, p->group, c) < 0) {
		goto out;
	}
	r = 0;
out:
	free(child);
	return r;
}

static int
parse_line(struct parser *p, const char *s, const char *e)
{
	const char *name, *tag;
	size_t nlen, tlen, len;
	char *line = NULL, *gname = NULL, *gtag = NULL;
	int r = -1;

	py_strip(&s, &e);
	if (s == e || *s == '#' || *s == ';')
		return 0;
	len = (size_t)(e - s);
	if (memchr(s, '\0', len))
		return perr(p, "line contains a NUL byte");
	if ((line = strndup(s, len)) == NULL)
		return oom(p);
	if (match_section(s, e, &name, &nlen, &tag, &tlen)) {
		if ((gname = strndup(name, nlen)) == NULL || (tag && (gtag = strndup(tag, tlen)) == NULL)) {
			oom(p);
			goto out;
		}
		r = section(p, gname, gtag);
	} else if (line[0] == '[' && line[len - 1] == ']') {
		r = perr(p, "invalid section entry '%s': make sure that there are no spaces in the section "
			    "entry, and that there are no other invalid characters", line);
	} else if (p->state == ST_HOSTS) {
		r = host_line(p, line);
	} else if (p->state == ST_VARS) {
		r = vars_line(p, line);
	} else {
		r = children_line(p, line);
	}
out:
	free(line);
	free(gname);
	free(gtag);
	return r;
}

/*
 * Lines as Python's str.splitlines() cuts them (\f, \v, \x1c-\x1e, U+2028...
 * end lines too, which moves line numbers). A file that is not UTF-8 is cut
 * at \n and \r only, like bytes.splitlines(), and may carry invalid bytes in
 * comment lines only -- ansible-core's fallback for latin-1 comments.
 */
static int
parse_text(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	int utf8 = utf8_valid(text, len);

	p->line = 0;
	while (s < end) {
		const char *e = s;
		size_t brk = 0;

		while (e < end) {
			if (utf8)
				brk = py_linebreak_len(e, end);
			else
				brk = *e == '\n' ? 1 : *e == '\r' ? (e + 1 < end && e[1] == '\n' ? 2 : 1) : 0;
			if (brk)
				break;
			e++;
		}
		p->line++;
		if (!utf8 && e > s && (*s == '#' || *s == ';')) {
			/* a comment: skipped, whatever its bytes */
		} else if (!utf8 && !utf8_valid(s, (size_t)(e - s))) {
			return perr(p, "invalid UTF-8");
		} else if (parse_line(p, s, e) < 0) {
			return -1;
		}
		s = e + brk;
	}
	for (size_t i = 0; i < p->npend; i++) {
		struct pending *pd = &p->pend[i];

		if (!pd->live)
			continue;
		p->line = pd->line;
		if (pd->state == ST_VARS)
			return perr(p, "section '[%s:vars]' is not valid for undefined group '%s'", pd->name,
				    pd->name);
		return perr(p, "section '[%s:children]' includes undefined group '%s'",
			    p->inv->groups[pd->parents[pd->nparents - 1]].name, pd->name);
	}
	return 0;
}

/* ---- reconcile (InventoryData.reconcile_inventory) and variable merge ---- */

/* Direct groups of host H and all their ancestors, each once. */
static int
host_closure(struct inventory *inv, size_t h, size_t **out, size_t *n, size_t *cap)
{
	unsigned stamp = next_stamp(inv);
	size_t start = 0;

	*n = 0;
	for (size_t i = 0; i < inv->hosts[h].ngroups; i++) {
		size_t g = inv->hosts[h].groups[i];

		if (inv->groups[g].mark != stamp) {
			inv->groups[g].mark = stamp;
			if (idx_push(out, n, cap, g) < 0)
				return -1;
		}
	}
	for (start = 0; start < *n; start++) {
		struct group *g = &inv->groups[(*out)[start]];

		for (size_t i = 0; i < g->nparents; i++) {
			size_t pg = g->parents[i];

			if (inv->groups[pg].mark != stamp) {
				inv->groups[pg].mark = stamp;
				if (idx_push(out, n, cap, pg) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int
regain_ungrouped(struct inventory *inv, size_t g)
{
	size_t *hs, n;

	if (inventory_group_hosts(inv, g, &hs, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		inv->hosts[hs[i]].left_ungrouped = 0;
	free(hs);
	return 0;
}

/* 1 when host H is directly in a group other than `all` and `ungrouped` */
static int
direct_elsewhere(const struct inventory *inv, size_t h)
{
	for (size_t i = 0; i < inv->hosts[h].ngroups; i++) {
		if (inv->hosts[h].groups[i] != GROUP_ALL && inv->hosts[h].groups[i] != GROUP_UNGROUPED)
			return 1;
	}
	return 0;
}

static int
reconcile(struct parser *p)
{
	struct inventory *inv = p->inv;
	size_t *cl = NULL, ncl = 0, ccl = 0;
	int r = -1;

	/* every group without a parent becomes a child of `all`; a loop through
	 * `all` is reported where `all` was made a child */
	for (size_t g = 0; g < inv->ngroups; g++) {
		if (g == GROUP_ALL || inv->groups[g].nparents != 0)
			continue;
		p->file = inv->all_child_file ? inv->all_child_file : p->file;
		p->line = inv->all_child_line;
		if (inv_add_child_group(p, GROUP_ALL, g) < 0)
			goto out;
	}
	/* `ungrouped` keeps only the hosts that are in no other group */
	for (size_t h = 0; h < inv->nhosts; h++) {
		int in_ungrouped = 0, others = 0, in_all = 0;

		if (host_closure(inv, h, &cl, &ncl, &ccl) < 0) {
			oom(p);
			goto out;
		}
		for (size_t i = 0; i < ncl; i++) {
			in_ungrouped |= cl[i] == GROUP_UNGROUPED;
			in_all |= cl[i] == GROUP_ALL;
			others |= cl[i] != GROUP_UNGROUPED && cl[i] != GROUP_ALL;
		}
		if (in_ungrouped) {
			if (others && idx_has(inv->hosts[h].groups, inv->hosts[h].ngroups, GROUP_UNGROUPED) &&
			    inv->ungrouped_child_file && direct_elsewhere(inv, h)) {
				/* Host.remove_group() then also takes the host out of the
				 * groups above `ungrouped` no other of its groups descends
				 * from, walking a set whose order is the objects' addresses */
				p->file = inv->ungrouped_child_file;
				p->line = inv->ungrouped_child_line;
				perr(p, "group 'ungrouped' is a child of another group and host '%s' is in other groups too: "
					"Ansible then takes the host out of groups in an order that changes from run to run",
				     inv->hosts[h].name);
				goto out;
			}
			if (others && idx_has(inv->hosts[h].groups, inv->hosts[h].ngroups, GROUP_UNGROUPED)) {
				idx_remove(inv->hosts[h].groups, &inv->hosts[h].ngroups, GROUP_UNGROUPED);
				inv->hosts[h].left_ungrouped = 1;
				idx_remove(inv->groups[GROUP_UNGROUPED].hosts, &inv->groups[GROUP_UNGROUPED].nhosts, h);
			}
		} else if (ncl == 0 || (ncl == 1 && in_all)) {
			/* add_child('ungrouped', name) takes a group of that name first */
			size_t g = inventory_find_group(inv, inv->hosts[h].name);

			if (g != NOT_FOUND) {
				int added = !idx_has(inv->groups[GROUP_UNGROUPED].children,
						     inv->groups[GROUP_UNGROUPED].nchildren, g);

				if (inv_add_child_group(p, GROUP_UNGROUPED, g) < 0)
					goto out;
				/* the new edge gives the hosts below g `ungrouped` as an
				 * ancestor again (Host.populate_ancestors) */
				if (added && regain_ungrouped(inv, g) < 0) {
					oom(p);
					goto out;
				}
			} else if (inv_add_host_to_group(inv, h, GROUP_UNGROUPED) < 0) {
				oom(p);
				goto out;
			}
		}
	}
	r = 0;
out:
	free(cl);
	return r;
}

/*
 * A host can end up in no group: one in `ungrouped` whose `ungrouped` was
 * made a child of another group is taken out of `ungrouped` and is in none.
 * all.get_hosts() does not return it, so Ansible never runs on it nor lists
 * it; it is dropped here too.
 */
static int
drop_orphans(struct inventory *inv)
{
	size_t *map, n = 0;

	for (size_t h = 0; h < inv->nhosts; h++)
		n += inv->hosts[h].ngroups != 0;
	if (n == inv->nhosts)
		return 0;
	if ((map = malloc(inv->nhosts * sizeof(*map))) == NULL)
		return -1;
	n = 0;
	for (size_t h = 0; h < inv->nhosts; h++) {
		if (inv->hosts[h].ngroups == 0) {
			free(inv->hosts[h].name);
			free(inv->hosts[h].groups);
			varlist_free(&inv->hosts[h].vars);
			map[h] = NOT_FOUND;
			continue;
		}
		map[h] = n;
		inv->hosts[n++] = inv->hosts[h];
	}
	inv->nhosts = n;
	for (size_t g = 0; g < inv->ngroups; g++) {
		for (size_t i = 0; i < inv->groups[g].nhosts; i++)
			inv->groups[g].hosts[i] = map[inv->groups[g].hosts[i]];
	}
	free(map);
	free(inv->host_index.slots);
	memset(&inv->host_index, 0, sizeof(inv->host_index));
	for (size_t h = 0; h < inv->nhosts; h++) {
		if (ni_put(&inv->host_index, inv->hosts[h].name, h) < 0)
			return -1;
	}
	return 0;
}

/* Group.depth: the longest path from `all`, found in topological order. */
static int
compute_depths(struct inventory *inv)
{
	size_t *indeg = calloc(inv->ngroups, sizeof(*indeg)), *queue = malloc(inv->ngroups * sizeof(*queue));
	size_t head = 0, tail = 0;
	int r = -1;

	if (indeg == NULL || queue == NULL)
		goto out;
	for (size_t g = 0; g < inv->ngroups; g++) {
		indeg[g] = inv->groups[g].nparents;
		inv->groups[g].depth = 0;
		if (indeg[g] == 0)
			queue[tail++] = g;
	}
	while (head < tail) {
		struct group *g = &inv->groups[queue[head++]];

		for (size_t i = 0; i < g->nchildren; i++) {
			struct group *c = &inv->groups[g->children[i]];

			if (c->depth < g->depth + 1)
				c->depth = g->depth + 1;
			if (--indeg[g->children[i]] == 0)
				queue[tail++] = g->children[i];
		}
	}
	r = 0;
out:
	free(indeg);
	free(queue);
	return r;
}

static int
cmp_group_order(const void *a, const void *b, void *arg)
{
	const struct inventory *inv = arg;
	const struct group *ga = &inv->groups[*(const size_t *)a], *gb = &inv->groups[*(const size_t *)b];

	if (ga->depth != gb->depth)
		return ga->depth < gb->depth ? -1 : 1;
	if (ga->priority != gb->priority)
		return ga->priority < gb->priority ? -1 : 1;
	return strcmp(ga->name, gb->name);
}

static int
cmp_rank(const void *a, const void *b, void *arg)
{
	const struct inventory *inv = arg;
	size_t ra = inv->groups[*(const size_t *)a].rank, rb = inv->groups[*(const size_t *)b].rank;

	return ra < rb ? -1 : ra > rb;
}

struct var_ref {
	const struct var *v;
	size_t seq;
};

static int
cmp_var_ref(const void *a, const void *b)
{
	const struct var_ref *x = a, *y = b;
	int c = strcmp(x->v->key, y->v->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
push_vars(struct var_ref **refs, size_t *n, size_t *cap, const struct varlist *vl)
{
	for (size_t i = 0; i < vl->n; i++) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			struct var_ref *nr = realloc(*refs, c * sizeof(*nr));

			if (nr == NULL)
				return -1;
			*refs = nr;
			*cap = c;
		}
		(*refs)[*n].v = &vl->v[i];
		(*refs)[*n].seq = *n;
		(*n)++;
	}
	return 0;
}

/* all, then the host's groups by (depth, priority, name), then the host:
 * the last to set a key wins. */
int
inv_merge_vars(struct inventory *inv)
{
	size_t *order = malloc(inv->ngroups * sizeof(*order)), *cl = NULL, ncl = 0, ccl = 0;
	struct var_ref *refs = NULL;
	size_t nrefs = 0, crefs = 0;
	int r = -1;

	if (order == NULL)
		goto out;
	for (size_t g = 0; g < inv->ngroups; g++)
		order[g] = g;
	qsort_r(order, inv->ngroups, sizeof(*order), cmp_group_order, inv);
	for (size_t i = 0; i < inv->ngroups; i++)
		inv->groups[order[i]].rank = i;

	for (size_t h = 0; h < inv->nhosts; h++) {
		struct host *host = &inv->hosts[h];
		size_t m = 0;

		if (host_closure(inv, h, &cl, &ncl, &ccl) < 0)
			goto out;
		if (ncl > 1)
			qsort_r(cl, ncl, sizeof(*cl), cmp_rank, inv);
		/* VariableManager.get_vars() with the default VARIABLE_PRECEDENCE:
		 * every group's inventory vars come before any vars file */
		nrefs = 0;
		if (push_vars(&refs, &nrefs, &crefs, &inv->groups[GROUP_ALL].vars) < 0)
			goto out;
		for (size_t i = 0; i < ncl; i++) {
			if (cl[i] != GROUP_ALL && !(cl[i] == GROUP_UNGROUPED && host->left_ungrouped) &&
			    push_vars(&refs, &nrefs, &crefs, &inv->groups[cl[i]].vars) < 0)
				goto out;
		}
		for (size_t s = 0; s < inv->nsources; s++) {
			const struct group *all = &inv->groups[GROUP_ALL];

			if (all->fvars && push_vars(&refs, &nrefs, &crefs, &all->fvars[inv->source_varsdir[s]]) < 0)
				goto out;
		}
		for (size_t s = 0; s < inv->nsources; s++) {
			for (size_t i = 0; i < ncl; i++) {
				const struct group *g = &inv->groups[cl[i]];

				if (cl[i] != GROUP_ALL && !(cl[i] == GROUP_UNGROUPED && host->left_ungrouped) && g->fvars &&
				    push_vars(&refs, &nrefs, &crefs, &g->fvars[inv->source_varsdir[s]]) < 0)
					goto out;
			}
		}
		if (push_vars(&refs, &nrefs, &crefs, &host->vars) < 0)
			goto out;
		for (size_t s = 0; s < inv->nsources; s++) {
			if (host->fvars &&
			    push_vars(&refs, &nrefs, &crefs, &host->fvars[inv->source_varsdir[s]]) < 0)
				goto out;
		}
		if (nrefs > 1)
			qsort(refs, nrefs, sizeof(*refs), cmp_var_ref);
		if (nrefs && (host->merged = calloc(nrefs, sizeof(*host->merged))) == NULL)
			goto out;
		for (size_t i = 0; i < nrefs; i++) {
			if (i + 1 < nrefs && strcmp(refs[i].v->key, refs[i + 1].v->key) == 0)
				continue;
			host->merged[m].key = refs[i].v->key;
			host->merged[m].text = refs[i].v->text;
			host->merged[m].origin = refs[i].v->origin;
			host->merged[m].value = refs[i].v->value;
			if (refs[i].v->value == NULL &&
			    (host->merged[m].string_value = json_string(refs[i].v->text)) == NULL)
				goto out;
			m++;
		}
		host->nmerged = m;
	}
	r = 0;
out:
	free(order);
	free(cl);
	free(refs);
	return r;
}

struct inventory *
inv_new(void)
{
	struct inventory *inv = calloc(1, sizeof(*inv));
	struct parser p = { 0 };

	if (inv == NULL)
		return NULL;
	p.inv = inv;
	p.file = "";
	if (inv_group_add(inv, "all") != GROUP_ALL || inv_group_add(inv, "ungrouped") != GROUP_UNGROUPED ||
	    inv_add_child_group(&p, GROUP_ALL, GROUP_UNGROUPED) < 0) {
		inventory_free(inv);
		return NULL;
	}
	return inv;
}

int
inv_parse_ini(struct inventory *inv, const char *file, const char *text, size_t len, char *err,
	      size_t errlen)
{
	struct parser p = { 0 };
	int r;

	p.inv = inv;
	p.file = file;
	p.err = err;
	p.errlen = errlen;
	p.group = GROUP_UNGROUPED;
	p.state = ST_HOSTS;
	r = parse_text(&p, text, len);
	pending_free(&p);
	return r;
}

int
inv_finish(struct inventory *inv, char *err, size_t errlen)
{
	struct parser p = { 0 };

	p.inv = inv;
	p.file = inv->filename ? inv->filename : "";
	p.err = err;
	p.errlen = errlen;
	if (reconcile(&p) < 0)
		return -1;
	if (drop_orphans(inv) < 0 || compute_depths(inv) < 0)
		return oom(&p);
	return 0;
}

int
inventory_parse(struct inventory **out, const char *filename, const char *text, size_t len, char *err,
		size_t errlen)
{
	struct inventory *inv = inv_new();
	const char *file;
	int r = -1;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (inv == NULL || (inv->filename = strdup(filename)) == NULL ||
	    (file = inv_intern(inv, filename)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", filename);
		goto out;
	}
	if (inv_parse_ini(inv, file, text, len, err, errlen) < 0 || inv_finish(inv, err, errlen) < 0)
		goto out;
	if (inv_merge_vars(inv) < 0) {
		snprintf(err, errlen, "%s: out of memory", filename);
		goto out;
	}
	*out = inv;
	inv = NULL;
	r = 0;
out:
	inventory_free(inv);
	return r;
}

int
inv_read_file(const char *path, char **out, size_t *outlen, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int r = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			size_t c = cap ? cap * 2 : 65536;
			char *nt = realloc(text, c);

			if (nt == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			text = nt;
			cap = c;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
				goto out;
			}
			break;
		}
	}
	if (text == NULL && (text = malloc(1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	*out = text;
	*outlen = len;
	text = NULL;
	r = 0;
out:
	if (f)
		fclose(f);
	free(text);
	return r;
}

int
inventory_load(struct inventory **out, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r;

	*out = NULL;
	if (inv_read_file(path, &text, &len, err, errlen) < 0)
		return -1;
	r = inventory_parse(out, path, text, len, err, errlen);
	free(text);
	return r;
}

/* ---- accessors ---- */

size_t
inventory_host_count(const struct inventory *inv)
{
	return inv->nhosts;
}

const char *
inventory_host_name(const struct inventory *inv, size_t i)
{
	return i < inv->nhosts ? inv->hosts[i].name : NULL;
}

size_t
inventory_group_count(const struct inventory *inv)
{
	return inv->ngroups;
}

const char *
inventory_group_name(const struct inventory *inv, size_t g)
{
	return g < inv->ngroups ? inv->groups[g].name : NULL;
}

static const struct merged_var *
find_merged(const struct inventory *inv, size_t i, const char *key)
{
	const struct host *h;
	size_t lo = 0, hi;

	if (i >= inv->nhosts)
		return NULL;
	h = &inv->hosts[i];
	hi = h->nmerged;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(h->merged[mid].key, key);

		if (c == 0)
			return &h->merged[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
inventory_host_var(const struct inventory *inv, size_t i, const char *key)
{
	const struct merged_var *m = find_merged(inv, i, key);

	return m ? m->text : NULL;
}

const json_t *
inventory_host_var_json(const struct inventory *inv, size_t i, const char *key)
{
	const struct merged_var *m = find_merged(inv, i, key);

	if (m == NULL)
		return NULL;
	return m->value ? m->value : m->string_value;
}

size_t
inventory_host_var_count(const struct inventory *inv, size_t i)
{
	return i < inv->nhosts ? inv->hosts[i].nmerged : 0;
}

void
inventory_host_var_at(const struct inventory *inv, size_t i, size_t j, const char **key, const char **value)
{
	*key = *value = NULL;
	if (i < inv->nhosts && j < inv->hosts[i].nmerged) {
		*key = inv->hosts[i].merged[j].key;
		*value = inv->hosts[i].merged[j].text;
	}
}

/* Group.get_hosts(): the group's hosts, then its descendants' level by
 * level. Uses no marks in the inventory, so readers may run concurrently. */
int
inventory_group_hosts(const struct inventory *inv, size_t g, size_t **out, size_t *n)
{
	size_t *groups = NULL, ng = 0, cg = 0, *hosts = NULL, nh = 0, ch = 0;
	unsigned char *gseen = calloc(inv->ngroups, 1), *hseen = calloc(inv->nhosts ? inv->nhosts : 1, 1);
	int r = -1;

	if (gseen == NULL || hseen == NULL || idx_push(&groups, &ng, &cg, g) < 0)
		goto out;
	gseen[g] = 1;
	for (size_t i = 0; i < ng; i++) {
		const struct group *gr = &inv->groups[groups[i]];

		for (size_t c = 0; c < gr->nchildren; c++) {
			if (gseen[gr->children[c]])
				continue;
			gseen[gr->children[c]] = 1;
			if (idx_push(&groups, &ng, &cg, gr->children[c]) < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < ng; i++) {
		const struct group *gr = &inv->groups[groups[i]];

		for (size_t k = 0; k < gr->nhosts; k++) {
			if (hseen[gr->hosts[k]])
				continue;
			hseen[gr->hosts[k]] = 1;
			if (idx_push(&hosts, &nh, &ch, gr->hosts[k]) < 0)
				goto out;
		}
	}
	*out = hosts;
	*n = nh;
	hosts = NULL;
	r = 0;
out:
	free(gseen);
	free(hseen);
	free(groups);
	free(hosts);
	return r;
}

/* ---- ansible-inventory --list ---- */

/* Variables ansible-inventory never shows (cli/inventory.py INTERNAL_VARS). */
static const char *const internal_vars[] = {
	"ansible_config_file", "ansible_diff_mode", "ansible_facts", "ansible_forks",
	"ansible_inventory_sources", "ansible_limit", "ansible_playbook_python", "ansible_run_tags",
	"ansible_skip_tags", "ansible_verbosity", "ansible_version", "group_names", "groups",
	"inventory_dir", "inventory_file", "inventory_hostname", "inventory_hostname_short", "omit",
	"playbook_dir",
};

static int
is_internal_var(const char *key)
{
	for (size_t i = 0; i < sizeof(internal_vars) / sizeof(internal_vars[0]); i++) {
		if (strcmp(internal_vars[i], key) == 0)
			return 1;
	}
	return 0;
}

static int
format_group(const struct inventory *inv, size_t g, json_t *root, unsigned char *seen)
{
	const struct group *gr = &inv->groups[g];
	json_t *obj = json_object(), *hosts = NULL, *children = NULL;

	if (obj == NULL)
		return -1;
	if (g != GROUP_ALL && gr->nhosts) {
		if ((hosts = json_array()) == NULL || json_object_set_new(obj, "hosts", hosts) < 0)
			goto fail;
		for (size_t i = 0; i < gr->nhosts; i++) {
			if (json_array_append_new(hosts, json_string(inv->hosts[gr->hosts[i]].name)) < 0)
				goto fail;
		}
	}
	if (gr->nchildren) {
		if ((children = json_array()) == NULL || json_object_set_new(obj, "children", children) < 0)
			goto fail;
	}
	for (size_t i = 0; i < gr->nchildren; i++) {
		size_t c = gr->children[i];

		if (json_array_append_new(children, json_string(inv->groups[c].name)) < 0)
			goto fail;
		if (!seen[c]) {
			if (format_group(inv, c, root, seen) < 0)
				goto fail;
			seen[c] = 1;
		}
	}
	if (json_object_size(obj) == 0) {
		json_decref(obj);
		return 0;
	}
	return json_object_set_new(root, gr->name, obj);
fail:
	json_decref(obj);
	return -1;
}

json_t *
inventory_to_json(const struct inventory *inv)
{
	json_t *root = json_object(), *meta = json_object(), *hostvars = json_object();
	unsigned char *seen = calloc(inv->ngroups ? inv->ngroups : 1, 1);
	size_t all_host;

	if (root == NULL || meta == NULL || hostvars == NULL || seen == NULL)
		goto fail;
	if (format_group(inv, GROUP_ALL, root, seen) < 0)
		goto fail;
	/* _meta lists get_hosts('all'), and a host named "all" is taken by name */
	all_host = inventory_find_host(inv, "all");
	for (size_t h = 0; h < inv->nhosts; h++) {
		const struct host *host = &inv->hosts[h];
		json_t *vars;

		if (all_host != NOT_FOUND && h != all_host)
			continue;
		if ((vars = json_object()) == NULL)
			goto fail;

		for (size_t j = 0; j < host->nmerged; j++) {
			const struct merged_var *m = &host->merged[j];

			if (is_internal_var(m->key))
				continue;
			if (json_object_set_new(vars, m->key,
						json_deep_copy(m->value ? m->value : m->string_value)) < 0) {
				json_decref(vars);
				goto fail;
			}
		}
		if (json_object_size(vars) == 0) {
			json_decref(vars);
			continue;
		}
		if (json_object_set_new(hostvars, host->name, vars) < 0)
			goto fail;
	}
	if (json_object_set_new(meta, "hostvars", hostvars) < 0) {
		hostvars = NULL;
		goto fail;
	}
	hostvars = NULL;
	if (json_object_set_new(root, "_meta", meta) < 0) {
		meta = NULL;
		goto fail;
	}
	free(seen);
	return root;
fail:
	free(seen);
	json_decref(hostvars);
	json_decref(meta);
	json_decref(root);
	return NULL;
}
