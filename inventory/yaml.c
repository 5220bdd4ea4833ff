/*
 * Data files as ansible-core 2.14 reads them, for group_vars/, host_vars/
 * and YAML inventories.
 *
 * ansible.parsing.utils.yaml.from_yaml() tries json.loads() first (with
 * ansible.parsing.ajson.AnsibleJSONDecoder), then one YAML document through
 * ansible.parsing.yaml.loader.AnsibleLoader: libyaml's parser (PyYAML's
 * CParser, as here), PyYAML's YAML 1.1 Resolver and
 * ansible.parsing.yaml.constructor.AnsibleConstructor on top of PyYAML's
 * SafeConstructor. The value returned is what `ansible-inventory --list`
 * prints for it (cli/inventory.py: json.dumps with AnsibleJSONEncoder and
 * preprocess_unsafe=True).
 *
 * What Ansible accepts but JSON cannot carry (NaN, infinities, integers
 * beyond 64 bits, dates as keys, bytes, sets) is refused with file, line and
 * column, as are documents that only aliases make huge or recursive.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "yaml.h"

/* Nesting of sequences and mappings, also through aliases. Python's
 * recursion limit stops Ansible somewhere near 1000 (json.loads, json.dumps). */
#define MAX_DEPTH 512
/* Values a document may gain through aliases and merge keys beyond the
 * nodes it spells out: a "billion laughs" stops here. */
#define MAX_ALIAS_VALUES 1000000.0

#define TAG_PREFIX "tag:yaml.org,2002:"
#define TAG_NULL TAG_PREFIX "null"
#define TAG_BOOL TAG_PREFIX "bool"
#define TAG_INT TAG_PREFIX "int"
#define TAG_FLOAT TAG_PREFIX "float"
#define TAG_STR TAG_PREFIX "str"
#define TAG_TIMESTAMP TAG_PREFIX "timestamp"
#define TAG_MERGE TAG_PREFIX "merge"
#define TAG_VALUE TAG_PREFIX "value"
#define TAG_YAML TAG_PREFIX "yaml"
#define TAG_SEQ TAG_PREFIX "seq"
#define TAG_MAP TAG_PREFIX "map"

/*
 * While values are built, the Python objects that print differently from
 * what wraps them are one-key objects whose key is not UTF-8 (so no input
 * can spell it). final_copy() replaces them; marker_key() tells their keys.
 */
#define MARK_UNSAFE "\xff"      /* AnsibleUnsafeText: {"__ansible_unsafe": s} */
#define MARK_VAULT "\xfe"       /* AnsibleVaultEncryptedUnicode: {"__ansible_vault": s} */
#define MARK_DATE "\xfd"        /* date/datetime: its isoformat() */
/* A value Ansible reads but JSON cannot hold, with the message refusing it
 * ("FILE:LINE:COL: why"); in an object that holds others, the object itself
 * (a date as a key). Refused only if it is still there at the end: a later
 * duplicate key may drop it, as it drops it in Python. */
#define MARK_REFUSED "\xfc"
/* In an object, "\xfa<n>": a value printed under a key a later one prints
 * as too (1 and "1"): not in the result, but refused like one. */
#define MARK_SHADOWED "\xfa"
/* Beside MARK_REFUSED for a JSON number Python reads (NaN, 1e400, a big
 * integer): Python's str() of it, which a vault made of it prints. */
#define MARK_PYSTR "\xfb"
/* Beside MARK_REFUSED for a JSON string with a lone surrogate, which a
 * vault cannot encode: json.loads fails on such a vault. */
#define MARK_SURROGATE "\xf9"

enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

/* The tags a constructor knows (SafeConstructor's and Ansible's). */
enum tag_id {
	T_OTHER, T_STR, T_NULL, T_BOOL, T_INT, T_FLOAT, T_TIMESTAMP, T_BINARY, T_SET, T_MAP, T_SEQ, T_OMAP,
	T_PAIRS, T_MERGE, T_VALUE, T_YAML, T_UNSAFE, T_VAULT,
};

static const struct {
	const char *tag;
	enum tag_id id;
} known_tags[] = {
	{ TAG_STR, T_STR }, { TAG_PREFIX "python/unicode", T_STR }, { TAG_NULL, T_NULL }, { TAG_BOOL, T_BOOL },
	{ TAG_INT, T_INT }, { TAG_FLOAT, T_FLOAT }, { TAG_TIMESTAMP, T_TIMESTAMP }, { TAG_PREFIX "binary", T_BINARY },
	{ TAG_PREFIX "set", T_SET }, { TAG_MAP, T_MAP }, { TAG_PREFIX "python/dict", T_MAP }, { TAG_SEQ, T_SEQ },
	{ TAG_PREFIX "omap", T_OMAP }, { TAG_PREFIX "pairs", T_PAIRS }, { TAG_MERGE, T_MERGE },
	{ TAG_VALUE, T_VALUE }, { TAG_YAML, T_YAML }, { "!unsafe", T_UNSAFE }, { "!vault", T_VAULT },
	{ "!vault-encrypted", T_VAULT },
};

/* The tag of ID, one the resolver gives. */
static const char *
tag_name(enum tag_id id)
{
	for (size_t i = 0; i < sizeof(known_tags) / sizeof(known_tags[0]); i++) {
		if (known_tags[i].id == id)
			return known_tags[i].tag;
	}
	return TAG_STR;
}

static enum tag_id
tag_id_of(const char *tag)
{
	for (size_t i = 0; i < sizeof(known_tags) / sizeof(known_tags[0]); i++) {
		if (strcmp(tag, known_tags[i].tag) == 0)
			return known_tags[i].id;
	}
	return T_OTHER;
}

static const char *const kind_name[] = { "scalar", "sequence", "mapping" };

/* One node of the composed document; aliases are indices of the same node. */
struct node {
	enum node_kind kind;
	const char *tag;        /* resolved; never NULL once composed */
	char *tag_owned;        /* tag, when it is not one of the resolver's */
	enum tag_id id;         /* of tag */
	char *value;            /* scalars: the text, NUL-terminated (in ctx's arena) */
	size_t len;
	size_t line, column;    /* libyaml's marks: 0-based, column in characters */
	size_t *items;          /* sequence: nodes; mapping: key, value, key, value… */
	size_t nitems, citems;
	double size;            /* values it expands to, aliases counted out */
	unsigned height;        /* longest path to a leaf */
	unsigned char sizing;   /* 0 not yet, 1 in progress, 2 done */
	unsigned char constructing;
	json_t *built;          /* PyYAML's constructed_objects[node] */
};

/* Scalar texts, allocated together and freed at once. */
struct arena_block {
	struct arena_block *next;
	size_t size, used;
	char data[];
};

static char *
arena_alloc(struct arena_block **arena, size_t n)
{
	struct arena_block *b = *arena;

	if (b == NULL || b->size - b->used < n) {
		size_t size = n > 65536 ? n : 65536;

		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = *arena;
		*arena = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

static void
arena_free(struct arena_block *b)
{
	while (b != NULL) {
		struct arena_block *next = b->next;

		free(b);
		b = next;
	}
}

struct ctx {
	const char *filename;
	struct arena_block *texts;
	struct node *nodes;
	size_t nnodes, cnodes;
	size_t *queue;          /* PyYAML's state_generators: collections still to fill */
	size_t nqueue, cqueue, queue_head;
	struct strvec *warnings;
	char *err;
	size_t errlen;
	int failed;
	int aliased;            /* an alias was met: values may be shared, even cyclic */
	int marked;             /* a marker was made: final_copy() must replace it */
	int shadowed;           /* a MARK_SHADOWED entry was made */
};

__attribute__((format(printf, 4, 5))) static int
fail(struct ctx *c, size_t line0, size_t col0, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -1;
	c->failed = 1;
	n = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->filename, line0 + 1, col0 + 1);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
oom(struct ctx *c)
{
	if (!c->failed) {
		c->failed = 1;
		snprintf(c->err, c->errlen, "%s: out of memory", c->filename);
	}
	return -1;
}

/* A refusal for the value at LINE0:COL0 (see MARK_REFUSED); NULL without
 * memory. */
__attribute__((format(printf, 4, 5))) static json_t *
refusal(struct ctx *c, size_t line0, size_t col0, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;
	json_t *o;

	n = snprintf(msg, sizeof(msg), "%s:%zu:%zu: ", c->filename, line0 + 1, col0 + 1);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	c->marked = 1;
	if ((o = json_object()) == NULL || json_object_set_new_nocheck(o, MARK_REFUSED, json_string(msg)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Marks object O refused with the message of refusal R (keeps a first one). */
static int
refuse_object(json_t *o, const json_t *r)
{
	if (json_object_get(o, MARK_REFUSED) != NULL)
		return 0;
	return json_object_set_nocheck(o, MARK_REFUSED, json_object_get(r, MARK_REFUSED));
}

/* A place in a text: byte offset, 0-based line and column (in characters). */
struct position {
	size_t off, line, col;
};

/* Moves AT forward to byte OFF, counting lines and columns as libyaml does
 * for the line breaks JSON and YAML share. */
static void
advance(const char *text, size_t len, size_t off, struct position *at)
{
	for (size_t i = at->off; i < off && i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n' || (ch == '\r' && (i + 1 == len || text[i + 1] != '\n'))) {
			at->line++;
			at->col = 0;
		} else if ((ch & 0xc0) != 0x80 && ch != '\r') {
			at->col++;
		}
	}
	at->off = off;
}

static void
position_of(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
	struct position at = { 0 };

	advance(text, len, off, &at);
	*line = at.line;
	*col = at.col;
}

/* ---- markers ---------------------------------------------------------- */

static json_t *
marker(struct ctx *c, const char *mark, json_t *s)
{
	json_t *o = json_object();

	c->marked = 1;
	if (o == NULL || s == NULL || json_object_set_new_nocheck(o, mark, s) < 0) {
		json_decref(o);
		json_decref(s);
		return NULL;
	}
	return o;
}

/* Which marker V is, NULL if none. */
static const char *
marker_kind(const json_t *v)
{
	static const char *const marks[] = { MARK_UNSAFE, MARK_VAULT, MARK_DATE, MARK_REFUSED };

	if (!json_is_object(v) || json_object_size(v) != 1)
		return NULL;
	for (size_t i = 0; i < 4; i++) {
		if (json_object_get(v, marks[i]) != NULL)
			return marks[i];
	}
	return NULL;
}

/* The containers on the path final_copy() is copying: a set of pointers
 * (open addressing, deletion by backward shift). */
struct path_set {
	const json_t **slots;
	size_t cap, n;
};

static size_t
path_home(const struct path_set *ps, const json_t *v)
{
	return (size_t)(((uintptr_t)v >> 4) * 0x9e3779b97f4a7c15u) & (ps->cap - 1);
}

static size_t
path_slot(const struct path_set *ps, const json_t *v)
{
	size_t i = path_home(ps, v);

	while (ps->slots[i] != NULL && ps->slots[i] != v)
		i = (i + 1) & (ps->cap - 1);
	return i;
}

/* 1 added, 0 already there, -1 without memory */
static int
path_add(struct path_set *ps, const json_t *v)
{
	if (2 * (ps->n + 1) > ps->cap) {
		struct path_set grown = { .cap = ps->cap ? ps->cap * 2 : 64 };

		if ((grown.slots = calloc(grown.cap, sizeof(*grown.slots))) == NULL)
			return -1;
		for (size_t i = 0; i < ps->cap; i++) {
			if (ps->slots[i] != NULL)
				grown.slots[path_slot(&grown, ps->slots[i])] = ps->slots[i];
		}
		grown.n = ps->n;
		free(ps->slots);
		*ps = grown;
	}
	{
		size_t i = path_slot(ps, v);

		if (ps->slots[i] != NULL)
			return 0;
		ps->slots[i] = v;
		ps->n++;
		return 1;
	}
}

static void
path_remove(struct path_set *ps, const json_t *v)
{
	size_t mask = ps->cap - 1, i = path_slot(ps, v), j = i;

	ps->slots[i] = NULL;
	ps->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (ps->slots[j] == NULL)
			return;
		/* an entry that a probe from its home passes through i moves there */
		home = path_home(ps, ps->slots[j]);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			ps->slots[i] = ps->slots[j];
			ps->slots[j] = NULL;
			i = j;
		}
	}
}

/* The printed form of V: markers replaced, nothing shared with V. NULL
 * after an error in C: a refusal still in the value, a container holding
 * itself (json.dumps: "Circular reference detected"). */
static json_t *
final_copy(struct ctx *c, const json_t *v, struct path_set *path)
{
	const char *mark = marker_kind(v);
	const json_t *refused;
	json_t *out = NULL, *x;
	int added;

	if (json_is_object(v) && (refused = json_object_get(v, MARK_REFUSED)) != NULL) {
		if (!c->failed) {
			c->failed = 1;
			snprintf(c->err, c->errlen, "%s", json_string_value(refused));
		}
		return NULL;
	}
	if (mark != NULL) {
		json_t *s = json_deep_copy(json_object_get(v, mark));

		if (strcmp(mark, MARK_DATE) == 0)
			return s;
		out = json_object();
		if (out == NULL || s == NULL ||
		    json_object_set_new(out, strcmp(mark, MARK_UNSAFE) == 0 ? "__ansible_unsafe" : "__ansible_vault", s) < 0) {
			json_decref(out);
			oom(c);
			return NULL;
		}
		return out;
	}
	if (!json_is_array(v) && !json_is_object(v)) {
		if ((out = json_deep_copy(v)) == NULL)
			oom(c);
		return out;
	}
	if ((added = path_add(path, v)) <= 0) {
		if (added < 0)
			oom(c);
		else if (!c->failed)
			snprintf(c->err, c->errlen, "%s: an alias refers to a collection from inside it; a recursive "
				 "structure has no JSON form", c->filename), c->failed = 1;
		return NULL;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *item;

		if ((out = json_array()) == NULL)
			goto oom;
		json_array_foreach(v, i, item) {
			if ((x = final_copy(c, item, path)) == NULL)
				goto bad;
			if (json_array_append_new(out, x) < 0)
				goto oom;
		}
	} else {
		const char *key;
		json_t *item;

		if ((out = json_object()) == NULL)
			goto oom;
		json_object_foreach((json_t *)v, key, item) {
			if ((x = final_copy(c, item, path)) == NULL)
				goto bad;
			if (strncmp(key, MARK_SHADOWED, 1) == 0)
				json_decref(x);
			else if (json_object_set_new_nocheck(out, key, x) < 0)
				goto oom;
		}
	}
	path_remove(path, v);
	return out;
oom:
	oom(c);
bad:
	json_decref(out);
	path_remove(path, v);
	return NULL;
}

/* Keys of the markers' own entries: not UTF-8, never a user's key. */
static int
marker_key(const char *key)
{
	return (unsigned char)key[0] >= 0xf8;
}

/*
 * ansible.utils.unsafe_proxy.wrap_var(): strings become unsafe; lists and
 * dicts are copied as they are at this moment, their items wrapped; vault
 * values, dates, numbers and None stay. NULL after an error in C (a
 * collection that holds itself: Python's RecursionError).
 */
static json_t *
wrap_var(struct ctx *c, json_t *v, struct path_set *path)
{
	json_t *out = NULL, *x;
	int added;

	if (json_is_string(v)) {
		if ((out = marker(c, MARK_UNSAFE, json_incref(v))) == NULL)
			oom(c);
		return out;
	}
	if (marker_kind(v) != NULL || (!json_is_array(v) && !json_is_object(v)))
		return json_incref(v);
	if ((added = path_add(path, v)) <= 0) {
		if (added < 0)
			oom(c);
		else if (!c->failed)
			snprintf(c->err, c->errlen, "%s: !unsafe on a collection that holds itself", c->filename),
				c->failed = 1;
		return NULL;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *item;

		if ((out = json_array()) == NULL)
			goto oom;
		json_array_foreach(v, i, item) {
			if ((x = wrap_var(c, item, path)) == NULL)
				goto bad;
			if (json_array_append_new(out, x) < 0)
				goto oom;
		}
	} else {
		const char *key;
		json_t *item;

		if ((out = json_object()) == NULL)
			goto oom;
		json_object_foreach(v, key, item) {
			if ((x = marker_key(key) ? json_incref(item) : wrap_var(c, item, path)) == NULL)
				goto bad;
			if (json_object_set_new_nocheck(out, key, x) < 0)
				goto oom;
		}
	}
	path_remove(path, v);
	return out;
oom:
	oom(c);
bad:
	json_decref(out);
	path_remove(path, v);
	return NULL;
}

/* ---- Python's number syntax -------------------------------------------- */

static int
digit_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	return 99;
}

/*
 * Python int(S, BASE) for a str without underscores: surrounding
 * whitespace, a sign, the base's 0b/0o/0x prefix. 0 with the sign in *neg
 * and the magnitude in *mag; -1 with *overflow set when the magnitude needs
 * more than 64 bits, clear when Python raises ValueError.
 */
static int
python_int_magnitude(const char *s, size_t len, int base, int *neg, unsigned long long *mag, int *overflow)
{
	const char *e = s + len;
	unsigned long long v = 0;
	int digits = 0;

	*overflow = *neg = 0;
	py_strip(&s, &e);
	if (s < e && (*s == '+' || *s == '-'))
		*neg = *s++ == '-';
	if (e - s >= 2 && s[0] == '0' && base != 10) {
		int p = tolower((unsigned char)s[1]);

		if ((base == 2 && p == 'b') || (base == 8 && p == 'o') || (base == 16 && p == 'x'))
			s += 2;
	}
	for (; s < e; s++) {
		int d = digit_value((unsigned char)*s);

		if (d >= base) {
			*overflow = 0;
			return -1;
		}
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			*overflow = 1;
		else
			v = v * (unsigned)base + (unsigned)d;
		digits++;
	}
	if (!digits || *overflow) {
		*overflow = digits && *overflow;
		return -1;
	}
	*mag = v;
	return 0;
}

/* -MAG or MAG as a long long: 0, or -1 when it does not fit. */
static int
signed_value(int neg, unsigned long long mag, long long *out)
{
	if (mag > (unsigned long long)LLONG_MAX + (neg ? 1u : 0u))
		return -1;
	*out = neg ? (long long)(0 - mag) : (long long)mag;
	return 0;
}

/* Python int(S, BASE) within 64 bits (see python_int_magnitude()). */
static int
python_int(const char *s, size_t len, int base, long long *out, int *overflow)
{
	unsigned long long mag;
	int neg;

	if (python_int_magnitude(s, len, base, &neg, &mag, overflow) < 0)
		return -1;
	if (signed_value(neg, mag, out) < 0) {
		*overflow = 1;
		return -1;
	}
	return 0;
}

/* Python float(S) for a str without underscores. 0 with *out, -1 when Python
 * raises ValueError. */
static int
python_float(const char *s, size_t len, double *out)
{
	const char *e = s + len, *p;
	char buf[512];
	int digits = 0;

	py_strip(&s, &e);
	p = s;
	if (p < e && (*p == '+' || *p == '-'))
		p++;
	{
		size_t rest = (size_t)(e - p);
		static const char *const words[] = { "inf", "infinity", "nan" };

		for (size_t i = 0; i < 3; i++) {
			if (rest == strlen(words[i]) && strncasecmp(p, words[i], rest) == 0) {
				*out = i == 2 ? NAN : (*s == '-' ? -INFINITY : INFINITY);
				return 0;
			}
		}
	}
	while (p < e && isdigit((unsigned char)*p))
		p++, digits++;
	if (p < e && *p == '.') {
		p++;
		while (p < e && isdigit((unsigned char)*p))
			p++, digits++;
	}
	if (!digits)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		int exp_digits = 0;

		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		while (p < e && isdigit((unsigned char)*p))
			p++, exp_digits++;
		if (!exp_digits)
			return -1;
	}
	if (p != e || (size_t)(e - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

/* repr(float) of a finite double: the shortest text that reads back, in
 * Python's layout (1e+16, 1e-05, 0.0001, 100.0). */
static void
python_float_repr(double d, char *out, size_t outlen)
{
	char digits[40], buf[48];
	int exp10, ndigits = 0, decpt;

	if (isnan(d)) {
		snprintf(out, outlen, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(out, outlen, d < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* buf: [-]D[.DDD]e[+-]XX */
	{
		const char *p = buf, *e = strchr(buf, 'e');

		if (*p == '-')
			p++;
		for (; p < e; p++) {
			if (*p != '.')
				digits[ndigits++] = *p;
		}
		digits[ndigits] = '\0';
		exp10 = atoi(e + 1);
		while (ndigits > 1 && digits[ndigits - 1] == '0')
			digits[--ndigits] = '\0';
	}
	decpt = exp10 + 1;
	{
		size_t o = 0;
		char *q = buf;

		if (signbit(d))
			q[o++] = '-';
		if (d == 0) {
			snprintf(out, outlen, "%s0.0", signbit(d) ? "-" : "");
			return;
		}
		if (decpt > 16 || decpt < -3) {
			q[o++] = digits[0];
			if (ndigits > 1) {
				q[o++] = '.';
				for (int i = 1; i < ndigits; i++)
					q[o++] = digits[i];
			}
			snprintf(q + o, sizeof(buf) - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
		} else if (decpt <= 0) {
			q[o++] = '0';
			q[o++] = '.';
			for (int i = 0; i < -decpt; i++)
				q[o++] = '0';
			for (int i = 0; i < ndigits; i++)
				q[o++] = digits[i];
			q[o] = '\0';
		} else {
			for (int i = 0; i < decpt; i++)
				q[o++] = i < ndigits ? digits[i] : '0';
			q[o++] = '.';
			if (ndigits > decpt) {
				for (int i = decpt; i < ndigits; i++)
					q[o++] = digits[i];
			} else {
				q[o++] = '0';
			}
			q[o] = '\0';
		}
		snprintf(out, outlen, "%s", buf);
	}
}

/* ---- JSON, as json.loads(cls=AnsibleJSONDecoder) reads it --------------- */

struct json_parser {
	const char *text, *p, *end;
	int depth;
	int not_json;           /* json.loads raises: the text is YAML's */
	struct ctx *c;
	struct position last;   /* of the last refusal: the next is rarely before */
};

/* A value json.loads reads at AT that JSON cannot carry. */
static json_t *
json_refusal(struct json_parser *jp, const char *at, const char *why)
{
	size_t off = (size_t)(at - jp->text);

	if (off < jp->last.off)
		memset(&jp->last, 0, sizeof(jp->last));
	advance(jp->text, (size_t)(jp->end - jp->text), off, &jp->last);
	return refusal(jp->c, jp->last.line, jp->last.col, "%s", why);
}

/* The same for a number, with Python's str() of it (MARK_PYSTR). */
static json_t *
json_number_refusal(struct json_parser *jp, const char *at, const char *why, const char *pystr, size_t len)
{
	json_t *r = json_refusal(jp, at, why);

	if (r != NULL && json_object_set_new_nocheck(r, MARK_PYSTR, json_stringn(pystr, len)) < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static int
json_ws(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void
json_skip_ws(struct json_parser *jp)
{
	while (jp->p < jp->end && json_ws((unsigned char)*jp->p))
		jp->p++;
}

static int
json_literal(struct json_parser *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) >= n && memcmp(jp->p, word, n) == 0) {
		jp->p += n;
		return 1;
	}
	return 0;
}

static int
hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int d = digit_value((unsigned char)p[i]);

		if (d >= 16)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return 0;
}

static size_t
utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A JSON string at jp->p (on the quote), its text in a new JSON string. */
static json_t *
json_parse_string(struct json_parser *jp)
{
	const char *start = jp->p++, *surrogate = NULL;
	char *buf, *o;
	json_t *s;

	/* the decoded text is never longer than the source */
	if ((buf = malloc((size_t)(jp->end - start) + 1)) == NULL)
		return NULL;
	o = buf;
	for (;;) {
		unsigned char ch;

		if (jp->p >= jp->end)
			goto bad;
		ch = (unsigned char)*jp->p;
		if (ch == '"') {
			jp->p++;
			break;
		}
		if (ch < 0x20)
			goto bad;
		if (ch != '\\') {
			*o++ = (char)ch;
			jp->p++;
			continue;
		}
		if (jp->end - jp->p < 2)
			goto bad;
		ch = (unsigned char)jp->p[1];
		jp->p += 2;
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			const char *esc = jp->p - 2;

			if (hex4(jp->p, jp->end, &cp) < 0)
				goto bad;
			jp->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && jp->end - jp->p >= 6 && jp->p[0] == '\\' &&
			    jp->p[1] == 'u' && hex4(jp->p + 2, jp->end, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				jp->p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				if (surrogate == NULL)
					surrogate = esc;
				cp = 0xfffd;
			}
			o += utf8_put(o, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	if (surrogate != NULL) {
		s = json_refusal(jp, surrogate, "a lone surrogate escape in a JSON string is not text");
		if (s != NULL && json_object_set_new_nocheck(s, MARK_SURROGATE, json_true()) < 0) {
			json_decref(s);
			s = NULL;
		}
	} else
		s = json_stringn_nocheck(buf, (size_t)(o - buf));
	free(buf);
	return s;
bad:
	free(buf);
	jp->not_json = 1;
	return NULL;
}

static json_t *
json_parse_number(struct json_parser *jp)
{
	const char *start = jp->p, *p = jp->p;
	int is_float = 0;
	char buf[64];

	if (p < jp->end && *p == '-')
		p++;
	if (p < jp->end && *p >= '1' && *p <= '9') {
		while (p < jp->end && isdigit((unsigned char)*p))
			p++;
	} else if (p < jp->end && *p == '0') {
		p++;
	} else {
		jp->not_json = 1;
		return NULL;
	}
	if (jp->end - p >= 2 && p[0] == '.' && isdigit((unsigned char)p[1])) {
		is_float = 1;
		p += 2;
		while (p < jp->end && isdigit((unsigned char)*p))
			p++;
	}
	if (p < jp->end && (*p == 'e' || *p == 'E')) {
		const char *q = p + 1;

		if (q < jp->end && (*q == '+' || *q == '-'))
			q++;
		if (q < jp->end && isdigit((unsigned char)*q)) {
			while (q < jp->end && isdigit((unsigned char)*q))
				q++;
			is_float = 1;
			p = q;
		}
	}
	jp->p = p;
	if (!is_float) {
		long long v;
		int overflow;

		if (python_int(start, (size_t)(p - start), 10, &v, &overflow) == 0)
			return json_integer(v);
		return json_number_refusal(jp, start, "an integer beyond 64 bits", start, (size_t)(p - start));
	}
	{
		/* long mantissas: strtod needs the whole text */
		size_t n = (size_t)(p - start);
		char *heap = NULL, *t = buf;
		double d;

		if (n >= sizeof(buf) && (t = heap = malloc(n + 1)) == NULL)
			return NULL;
		memcpy(t, start, n);
		t[n] = '\0';
		d = strtod(t, NULL);
		free(heap);
		if (isinf(d))
			return json_number_refusal(jp, start, "a number too large for a float (Python reads it as Infinity)",
						   d < 0 ? "-inf" : "inf", d < 0 ? 4 : 3);
		return json_real(d);
	}
}

static json_t *json_parse_value(struct json_parser *jp);

/* AnsibleJSONDecoder.object_hook() on a parsed object. */
static json_t *
json_object_hook(struct json_parser *jp, json_t *obj, const char *at)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value) {
		if (strcmp(key, "__ansible_vault") == 0) {
			json_t *out;

			char text[64];

			/* AnsibleVaultEncryptedUnicode(value) keeps to_bytes(value): str() of a number */
			if (json_is_string(value)) {
				out = marker(jp->c, MARK_VAULT, json_incref(value));
			} else if (json_is_object(value) && json_object_get(value, MARK_SURROGATE) != NULL) {
				/* to_bytes() raises: not JSON then, YAML's turn */
				jp->not_json = 1;
				out = json_null();
			} else if (json_is_object(value) && json_object_get(value, MARK_PYSTR) != NULL) {
				out = marker(jp->c, MARK_VAULT, json_incref(json_object_get(value, MARK_PYSTR)));
			} else if (json_is_integer(value) || json_is_boolean(value) || json_is_null(value) || json_is_real(value)) {
				if (json_is_integer(value))
					snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(value));
				else if (json_is_real(value))
					python_float_repr(json_real_value(value), text, sizeof(text));
				else
					snprintf(text, sizeof(text), "%s", json_is_null(value) ? "None" : json_is_true(value) ? "True" : "False");
				out = marker(jp->c, MARK_VAULT, json_string(text));
			} else {
				out = json_refusal(jp, at, "__ansible_vault is not a string");
			}
			json_decref(obj);
			return out;
		}
		if (strcmp(key, "__ansible_unsafe") == 0) {
			struct path_set path = { 0 };
			json_t *out = wrap_var(jp->c, value, &path);

			free(path.slots);

			json_decref(obj);
			return out;
		}
	}
	return obj;
}

static json_t *
json_parse_container(struct json_parser *jp)
{
	const char *start = jp->p;
	int is_object = *jp->p == '{';
	json_t *c = is_object ? json_object() : json_array();

	if (c == NULL)
		return NULL;
	if (++jp->depth > MAX_DEPTH) {
		/* json.loads gives up (RecursionError): YAML's turn */
		jp->not_json = 1;
		goto fail;
	}
	jp->p++;
	json_skip_ws(jp);
	if (jp->p < jp->end && *jp->p == (is_object ? '}' : ']')) {
		jp->p++;
		goto done;
	}
	for (;;) {
		json_t *key = NULL, *value;

		if (is_object) {
			if (jp->p >= jp->end || *jp->p != '"') {
				jp->not_json = 1;
				goto fail;
			}
			if ((key = json_parse_string(jp)) == NULL)
				goto fail;
			json_skip_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				json_decref(key);
				jp->not_json = 1;
				goto fail;
			}
			jp->p++;
			json_skip_ws(jp);
		}
		if ((value = json_parse_value(jp)) == NULL) {
			json_decref(key);
			goto fail;
		}
		if (is_object) {
			if (!json_is_string(key) || memchr(json_string_value(key), '\0', json_string_length(key)) != NULL) {
				json_t *r = json_is_string(key) ? json_refusal(jp, start, "a key with a NUL character") : json_incref(key);

				json_decref(value);
				if (r == NULL || refuse_object(c, r) < 0) {
					json_decref(r);
					json_decref(key);
					goto fail;
				}
				json_decref(r);
			} else if (json_object_set_new_nocheck(c, json_string_value(key), value) < 0) {
				json_decref(key);
				goto fail;
			}
			json_decref(key);
		} else if (json_array_append_new(c, value) < 0) {
			goto fail;
		}
		json_skip_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			json_skip_ws(jp);
			continue;
		}
		if (jp->p < jp->end && *jp->p == (is_object ? '}' : ']')) {
			jp->p++;
			break;
		}
		jp->not_json = 1;
		goto fail;
	}
done:
	jp->depth--;
	return is_object ? json_object_hook(jp, c, start) : c;
fail:
	json_decref(c);
	return NULL;
}

static json_t *
json_parse_value(struct json_parser *jp)
{
	const char *at = jp->p;

	if (jp->p >= jp->end) {
		jp->not_json = 1;
		return NULL;
	}
	switch (*jp->p) {
	case '"':
		return json_parse_string(jp);
	case '{':
	case '[':
		return json_parse_container(jp);
	case 'n':
		if (json_literal(jp, "null"))
			return json_null();
		break;
	case 't':
		if (json_literal(jp, "true"))
			return json_true();
		break;
	case 'f':
		if (json_literal(jp, "false"))
			return json_false();
		break;
	case 'N':
		if (json_literal(jp, "NaN"))
			return json_number_refusal(jp, at, "NaN has no JSON form", "nan", 3);
		break;
	case 'I':
		if (json_literal(jp, "Infinity"))
			return json_number_refusal(jp, at, "Infinity has no JSON form", "inf", 3);
		break;
	case '-':
		if (json_literal(jp, "-Infinity"))
			return json_number_refusal(jp, at, "-Infinity has no JSON form", "-inf", 4);
		return json_parse_number(jp);
	default:
		if (isdigit((unsigned char)*jp->p))
			return json_parse_number(jp);
		break;
	}
	jp->not_json = 1;
	return NULL;
}

/* 1 with *out when json.loads() reads the text (-1 with the refusal in err
 * when it reads what JSON cannot carry), 0 when it raises. */
static int
parse_json(struct ctx *c, const char *text, size_t len, json_t **out)
{
	struct json_parser jp = { .text = text, .p = text, .end = text + len, .c = c };
	json_t *v;

	json_skip_ws(&jp);
	v = json_parse_value(&jp);
	if (v != NULL) {
		json_skip_ws(&jp);
		if (jp.p != jp.end)
			jp.not_json = 1;
	}
	if (v == NULL || jp.not_json) {
		json_decref(v);
		if (v == NULL && !jp.not_json) {
			snprintf(c->err, c->errlen, "%s: out of memory", c->filename);
			return -1;
		}
		return 0;
	}
	*out = v;
	return 1;
}

/* ---- PyYAML's implicit resolvers (yaml/resolver.py) --------------------- */

static int
is_digit_in(int ch, char lo, char hi)
{
	return ch >= lo && ch <= hi;
}

/* `(?::[0-5]?[0-9])+` from P; returns the end, or NULL when none matched. */
static const char *
sexagesimal_tail(const char *p, const char *e)
{
	const char *matched = NULL;

	while (p < e && *p == ':') {
		const char *q = p + 1;

		if (e - q >= 2 && is_digit_in(q[0], '0', '5') && isdigit((unsigned char)q[1]))
			q += 2;
		else if (q < e && isdigit((unsigned char)q[0]))
			q += 1;
		else
			break;
		matched = p = q;
	}
	return matched;
}

static const char *
span(const char *p, const char *e, const char *set)
{
	while (p < e && *p && strchr(set, *p) != NULL)
		p++;
	return p;
}

static int
match_int(const char *s, const char *e)
{
	const char *p = s, *q;

	if (p < e && (*p == '-' || *p == '+'))
		p++;
	if (p == e)
		return 0;
	if (e - p >= 2 && p[0] == '0' && p[1] == 'b')
		return (q = span(p + 2, e, "01_")) == e && q > p + 2;
	if (e - p >= 2 && p[0] == '0' && p[1] == 'x')
		return (q = span(p + 2, e, "0123456789abcdefABCDEF_")) == e && q > p + 2;
	if (p[0] == '0')
		return span(p + 1, e, "01234567_") == e;
	if (!is_digit_in(p[0], '1', '9'))
		return 0;
	q = span(p + 1, e, "0123456789_");
	if (q == e)
		return 1;
	return sexagesimal_tail(q, e) == e;
}

static const char *
float_exponent(const char *p, const char *e)
{
	const char *q;

	if (p < e && (*p == 'e' || *p == 'E') && p + 1 < e && (p[1] == '-' || p[1] == '+')) {
		q = span(p + 2, e, "0123456789");
		if (q > p + 2)
			return q;
	}
	return p;
}

static int
match_float(const char *s, const char *e)
{
	const char *p = s, *q;
	size_t n = (size_t)(e - s);

	if (n == 4 && s[0] == '.' && (memcmp(s, ".nan", 4) == 0 || memcmp(s, ".NaN", 4) == 0 || memcmp(s, ".NAN", 4) == 0))
		return 1;
	if (p < e && (*p == '-' || *p == '+'))
		p++;
	if ((size_t)(e - p) == 4 &&
	    (memcmp(p, ".inf", 4) == 0 || memcmp(p, ".Inf", 4) == 0 || memcmp(p, ".INF", 4) == 0))
		return 1;
	if (p < e && *p == '.') {
		/* `\.[0-9][0-9_]*(exp)?`, unsigned only */
		if (p != s || p + 1 >= e || !isdigit((unsigned char)p[1]))
			return 0;
		q = span(p + 2, e, "0123456789_");
		return float_exponent(q, e) == e;
	}
	if (p >= e || !isdigit((unsigned char)*p))
		return 0;
	q = span(p + 1, e, "0123456789_");
	if (q < e && *q == '.') {
		q = span(q + 1, e, "0123456789_");
		return float_exponent(q, e) == e;
	}
	if ((q = sexagesimal_tail(q, e)) == NULL || q >= e || *q != '.')
		return 0;
	return span(q + 1, e, "0123456789_") == e;
}

struct timestamp {
	int year, month, day, has_time, hour, minute, second, fraction;
	int has_tz, tz_sign, tz_hour, tz_minute;
	int short_date;         /* month or day written with one digit */
};

static const char *
digits_n(const char *p, const char *e, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (p < e && n < max && isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	*out = v;
	return n >= min ? p : NULL;
}

/* SafeConstructor.timestamp_regexp: 1 with the fields when S matches. */
static int
match_timestamp(const char *s, const char *e, struct timestamp *t)
{
	const char *p = s, *q;

	memset(t, 0, sizeof(*t));
	if ((p = digits_n(p, e, 4, 4, &t->year)) == NULL || p >= e || *p++ != '-')
		return 0;
	q = p;
	if ((p = digits_n(p, e, 1, 2, &t->month)) == NULL || p >= e || *p++ != '-')
		return 0;
	t->short_date |= p - q != 3;
	q = p;
	if ((p = digits_n(p, e, 1, 2, &t->day)) == NULL)
		return 0;
	t->short_date |= p - q != 2;
	if (p == e)
		return 1;
	if (*p == 'T' || *p == 't')
		p++;
	else if (*p == ' ' || *p == '\t')
		p = span(p, e, " \t");
	else
		return 0;
	t->has_time = 1;
	if ((p = digits_n(p, e, 1, 2, &t->hour)) == NULL || p >= e || *p++ != ':' ||
	    (p = digits_n(p, e, 2, 2, &t->minute)) == NULL || p >= e || *p++ != ':' ||
	    (p = digits_n(p, e, 2, 2, &t->second)) == NULL)
		return 0;
	if (p < e && *p == '.') {
		int n = 0;

		for (p++; p < e && isdigit((unsigned char)*p); p++, n++) {
			if (n < 6)
				t->fraction = t->fraction * 10 + (*p - '0');
		}
		for (; n < 6; n++)
			t->fraction *= 10;
	}
	q = span(p, e, " \t");
	if (q < e && *q == 'Z') {
		t->has_tz = 1;
		p = q + 1;
	} else if (q < e && (*q == '+' || *q == '-')) {
		t->has_tz = 1;
		t->tz_sign = *q == '-' ? -1 : 1;
		if ((p = digits_n(q + 1, e, 1, 2, &t->tz_hour)) == NULL)
			return 0;
		if (e - p >= 3 && *p == ':' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
			t->tz_minute = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
	}
	return p == e;
}

/* Python's `$` also matches before a final newline. */
typedef int (*matcher)(const char *, const char *);

static int
matches(matcher m, const char *s, size_t len)
{
	return m(s, s + len) || (len > 0 && s[len - 1] == '\n' && m(s, s + len - 1));
}

static int
match_timestamp_implicit(const char *s, const char *e)
{
	struct timestamp t;

	return match_timestamp(s, e, &t) && (t.has_time || !t.short_date);
}

static int
word_in(const char *s, const char *e, const char *const *words)
{
	for (; *words; words++) {
		if ((size_t)(e - s) == strlen(*words) && memcmp(s, *words, (size_t)(e - s)) == 0)
			return 1;
	}
	return 0;
}

static int
match_bool(const char *s, const char *e)
{
	static const char *const words[] = { "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE",
					      "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL };
	return word_in(s, e, words);
}

static int
match_null(const char *s, const char *e)
{
	static const char *const words[] = { "~", "null", "Null", "NULL", "", NULL };
	return word_in(s, e, words);
}

static int
match_merge(const char *s, const char *e)
{
	return e - s == 2 && s[0] == '<' && s[1] == '<';
}

static int
match_value(const char *s, const char *e)
{
	return e - s == 1 && s[0] == '=';
}

static int
match_yaml(const char *s, const char *e)
{
	return e - s == 1 && (s[0] == '!' || s[0] == '&' || s[0] == '*');
}

/* Resolver.resolve() for a scalar the parser left untagged (or tagged `!`):
 * the resolvers registered for its first character, in their order. */
static enum tag_id
resolve_scalar(const char *v, size_t len, int plain_implicit)
{
	static const struct {
		const char *first;
		matcher m;
		enum tag_id id;
	} resolvers[] = {
		{ "yYnNtTfFoO", match_bool, T_BOOL },
		{ "-+0123456789.", match_float, T_FLOAT },
		{ "-+0123456789", match_int, T_INT },
		{ "<", match_merge, T_MERGE },
		{ "~nN", match_null, T_NULL },
		{ "0123456789", match_timestamp_implicit, T_TIMESTAMP },
		{ "=", match_value, T_VALUE },
		{ "!&*", match_yaml, T_YAML },
	};

	if (!plain_implicit)
		return T_STR;
	if (len == 0)
		return T_NULL;
	for (size_t i = 0; v[0] != '\0' && i < sizeof(resolvers) / sizeof(resolvers[0]); i++) {
		if (strchr(resolvers[i].first, v[0]) != NULL && matches(resolvers[i].m, v, len))
			return resolvers[i].id;
	}
	return T_STR;
}

const char *
inv_yaml_key_type(const char *text, size_t len)
{
	struct timestamp t;

	switch (resolve_scalar(text, len, 1)) {
	case T_BOOL:
		return "bool";
	case T_INT:
		return "int";
	case T_FLOAT:
		return "float";
	case T_NULL:
		return "NoneType";
	case T_MERGE:
		return "merge";
	case T_TIMESTAMP:
		return match_timestamp(text, text + len, &t) && !t.has_time ? "date" : "datetime";
	default:
		/* `=` as a key is a str (flatten_mapping) */
		return "str";
	}
}

/* ---- composing: libyaml events into nodes (PyYAML's CParser) ------------ */

static int
new_node(struct ctx *c, enum node_kind kind, const yaml_mark_t *mark, size_t *out)
{
	struct node *n;

	if (c->nnodes == c->cnodes) {
		size_t cap = c->cnodes ? c->cnodes * 2 : 64;
		struct node *nodes = realloc(c->nodes, cap * sizeof(*nodes));

		if (nodes == NULL)
			return -1;
		c->nodes = nodes;
		c->cnodes = cap;
	}
	n = &c->nodes[c->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = mark->line;
	n->column = mark->column;
	*out = c->nnodes++;
	return 0;
}

static int
push_item(struct node *n, size_t item)
{
	if (n->nitems == n->citems) {
		size_t cap = n->citems ? n->citems * 2 : 4;
		size_t *items = realloc(n->items, cap * sizeof(*items));

		if (items == NULL)
			return -1;
		n->items = items;
		n->citems = cap;
	}
	n->items[n->nitems++] = item;
	return 0;
}

static int
parser_error(struct ctx *c, yaml_parser_t *parser, const char *text, size_t len)
{
	size_t line, col;

	if (parser->error == YAML_MEMORY_ERROR)
		return oom(c);
	if (parser->error == YAML_READER_ERROR) {
		position_of(text, len, parser->problem_offset, &line, &col);
		return fail(c, line, col, "syntax error while loading YAML: %s",
			    parser->problem ? parser->problem : "unreadable input");
	}
	if (parser->context != NULL)
		return fail(c, parser->problem_mark.line, parser->problem_mark.column,
			    "syntax error while loading YAML: %s (%s at line %zu, column %zu)",
			    parser->problem ? parser->problem : "invalid YAML", parser->context,
			    parser->context_mark.line + 1, parser->context_mark.column + 1);
	return fail(c, parser->problem_mark.line, parser->problem_mark.column, "syntax error while loading YAML: %s",
		    parser->problem ? parser->problem : "invalid YAML");
}

/* The anchors of the document, name -> node. */
static int
register_anchor(struct ctx *c, json_t *anchors, const yaml_char_t *anchor, size_t idx)
{
	json_t *prev;

	if (anchor == NULL)
		return 0;
	if ((prev = json_object_get(anchors, (const char *)anchor)) != NULL) {
		const struct node *first = &c->nodes[json_integer_value(prev)];

		return fail(c, c->nodes[idx].line, c->nodes[idx].column,
			    "found duplicate anchor '%s'; first occurrence at line %zu, column %zu", anchor,
			    first->line + 1, first->column + 1);
	}
	if (json_object_set_new_nocheck(anchors, (const char *)anchor, json_integer((json_int_t)idx)) < 0)
		return oom(c);
	return 0;
}

/* Composes the single document of TEXT; *root is NOT_FOUND for an empty
 * stream. */
static int
compose(struct ctx *c, const char *text, size_t len, size_t *root)
{
	yaml_parser_t parser;
	yaml_event_t event;
	json_t *anchors = json_object();
	size_t stack[MAX_DEPTH + 1], depth = 0;
	int r = -1, documents = 0, done = 0;

	*root = NOT_FOUND;
	if (anchors == NULL || !yaml_parser_initialize(&parser)) {
		json_decref(anchors);
		return oom(c);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	/* no yaml_parser_set_encoding(), as in PyYAML: libyaml then drops a
	 * leading BOM before counting columns */
	while (!done) {
		size_t idx = NOT_FOUND;
		const yaml_char_t *anchor = NULL;

		if (!yaml_parser_parse(&parser, &event)) {
			parser_error(c, &parser, text, len);
			goto out;
		}
		switch (event.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (documents++ > 0) {
				fail(c, event.start_mark.line, event.start_mark.column,
				     "expected a single document in the stream, but found another document");
				goto event_out;
			}
			break;
		case YAML_ALIAS_EVENT: {
			json_t *target = json_object_get(anchors, (const char *)event.data.alias.anchor);

			if (target == NULL) {
				fail(c, event.start_mark.line, event.start_mark.column, "found undefined alias '%s'",
				     event.data.alias.anchor);
				goto event_out;
			}
			idx = (size_t)json_integer_value(target);
			c->aliased = 1;
			break;
		}
		case YAML_SCALAR_EVENT: {
			const char *tag = (const char *)event.data.scalar.tag;
			struct node *n;

			if (new_node(c, NODE_SCALAR, &event.start_mark, &idx) < 0) {
				oom(c);
				goto event_out;
			}
			n = &c->nodes[idx];
			n->len = event.data.scalar.length;
			if ((n->value = arena_alloc(&c->texts, n->len + 1)) == NULL) {
				oom(c);
				goto event_out;
			}
			memcpy(n->value, event.data.scalar.value, n->len);
			n->value[n->len] = '\0';
			if (tag == NULL || strcmp(tag, "!") == 0) {
				n->id = resolve_scalar(n->value, n->len, event.data.scalar.plain_implicit);
				n->tag = tag_name(n->id);
			} else if ((n->tag = n->tag_owned = strdup(tag)) == NULL) {
				oom(c);
				goto event_out;
			} else {
				n->id = tag_id_of(n->tag);
			}
			anchor = event.data.scalar.anchor;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int seq = event.type == YAML_SEQUENCE_START_EVENT;
			const char *tag = (const char *)(seq ? event.data.sequence_start.tag : event.data.mapping_start.tag);

			if (depth == MAX_DEPTH) {
				fail(c, event.start_mark.line, event.start_mark.column, "nested deeper than %d levels",
				     MAX_DEPTH);
				goto event_out;
			}
			if (new_node(c, seq ? NODE_SEQUENCE : NODE_MAPPING, &event.start_mark, &idx) < 0) {
				oom(c);
				goto event_out;
			}
			if (tag == NULL || strcmp(tag, "!") == 0) {
				c->nodes[idx].id = seq ? T_SEQ : T_MAP;
				c->nodes[idx].tag = seq ? TAG_SEQ : TAG_MAP;
			} else if ((c->nodes[idx].tag = c->nodes[idx].tag_owned = strdup(tag)) == NULL) {
				oom(c);
				goto event_out;
			} else {
				c->nodes[idx].id = tag_id_of(c->nodes[idx].tag);
			}
			anchor = seq ? event.data.sequence_start.anchor : event.data.mapping_start.anchor;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (idx != NOT_FOUND) {
			if (register_anchor(c, anchors, anchor, idx) < 0)
				goto event_out;
			if (depth > 0) {
				if (push_item(&c->nodes[stack[depth - 1]], idx) < 0) {
					oom(c);
					goto event_out;
				}
			} else {
				*root = idx;
			}
			if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT)
				stack[depth++] = idx;
		}
		yaml_event_delete(&event);
		continue;
event_out:
		yaml_event_delete(&event);
		goto out;
	}
	r = 0;
out:
	yaml_parser_delete(&parser);
	json_decref(anchors);
	return r;
}

/*
 * Values node IDX expands to (aliases counted out) and the longest path
 * below it: refuses alias bombs and nesting too deep, before anything is
 * built. A node reached again from inside itself counts once here; if the
 * recursion survives construction, final_copy() refuses it.
 */
static int
size_nodes(struct ctx *c, size_t idx, unsigned depth)
{
	struct node *n = &c->nodes[idx];
	double size = 1;
	unsigned height = 0;

	if (n->sizing != 0)
		return 0;
	if (depth > MAX_DEPTH)
		return fail(c, n->line, n->column, "nested deeper than %d levels (through aliases)", MAX_DEPTH);
	n->sizing = 1;
	for (size_t i = 0; i < c->nodes[idx].nitems; i++) {
		size_t item = c->nodes[idx].items[i];

		if (size_nodes(c, item, depth + 1) < 0)
			return -1;
		if (c->nodes[item].sizing == 2) {
			size += c->nodes[item].size;
			if (c->nodes[item].height + 1 > height)
				height = c->nodes[item].height + 1;
		}
	}
	n = &c->nodes[idx];
	n->size = size;
	n->height = height;
	n->sizing = 2;
	if (height > MAX_DEPTH)
		return fail(c, n->line, n->column, "nested deeper than %d levels (through aliases)", MAX_DEPTH);
	if (size > (double)c->nnodes + MAX_ALIAS_VALUES)
		return fail(c, n->line, n->column, "aliases expand this node to %.0f values, more than %.0f beyond the "
			    "document's own", size, MAX_ALIAS_VALUES);
	return 0;
}

/* ---- constructing: AnsibleConstructor on SafeConstructor ---------------- */

static json_t *construct_object(struct ctx *c, size_t idx);

static int
enqueue(struct ctx *c, size_t idx)
{
	if (c->nqueue == c->cqueue) {
		size_t cap = c->cqueue ? c->cqueue * 2 : 64;
		size_t *q = realloc(c->queue, cap * sizeof(*q));

		if (q == NULL)
			return oom(c);
		c->queue = q;
		c->cqueue = cap;
	}
	c->queue[c->nqueue++] = idx;
	return 0;
}

static int
expect_scalar(struct ctx *c, const struct node *n)
{
	if (n->kind != NODE_SCALAR)
		return fail(c, n->line, n->column, "expected a scalar node, but found %s", kind_name[n->kind]);
	return 0;
}

/* construct_yaml_int() */
static json_t *
construct_int(struct ctx *c, const struct node *n)
{
	char *v = malloc(n->len + 1), *w = v, *p;
	long long total = 0, x;
	int sign = 1, overflow = 0, bad = 0;
	json_t *out = NULL;

	if (v == NULL) {
		oom(c);
		return NULL;
	}
	for (size_t i = 0; i < n->len; i++) {
		if (n->value[i] != '_')
			*w++ = n->value[i];
	}
	*w = '\0';
	p = v;
	if (*p == '-')
		sign = -1;
	if (*p == '+' || *p == '-')
		p++;
	if (w == v) {
		bad = 1;
	} else if (strcmp(p, "0") == 0) {
		total = 0;
	} else if (strncmp(p, "0b", 2) == 0 || strncmp(p, "0x", 2) == 0 || p[0] == '0' || strchr(p, ':') == NULL) {
		/* int(value[2:], 2 or 16), int(value, 8), int(value) times the sign */
		int base = p[0] != '0' ? 10 : p[1] == 'b' ? 2 : p[1] == 'x' ? 16 : 8;
		const char *digits = base == 2 || base == 16 ? p + 2 : p;
		unsigned long long mag;
		int neg;

		bad = python_int_magnitude(digits, strlen(digits), base, &neg, &mag, &overflow) < 0;
		if (!bad && signed_value(neg != (sign < 0), mag, &total) < 0)
			overflow = bad = 1;
		sign = 1;
	} else if (strchr(p, ':') != NULL) {
		/* sexagesimal: 82:00 is 4920 */
		long long base = 1;
		char *part_end = p + strlen(p);

		for (;;) {
			char *colon = part_end;

			while (colon > p && colon[-1] != ':')
				colon--;
			if (python_int(colon, (size_t)(part_end - colon), 10, &x, &overflow) < 0) {
				bad = 1;
				break;
			}
			if (__builtin_mul_overflow(x, base, &x) || __builtin_add_overflow(total, x, &total)) {
				overflow = bad = 1;
				break;
			}
			if (colon == p)
				break;
			part_end = colon - 1;
			if (__builtin_mul_overflow(base, 60LL, &base)) {
				overflow = bad = 1;
				break;
			}
		}
	}
	if (!bad && sign < 0 && __builtin_mul_overflow(total, -1LL, &total))
		overflow = bad = 1;
	if (bad && overflow) {
		if ((out = refusal(c, n->line, n->column, "integer '%s' does not fit in 64 bits", n->value)) == NULL)
			oom(c);
	} else if (bad)
		fail(c, n->line, n->column, "'%s' is not an integer", n->value);
	else if ((out = json_integer(total)) == NULL)
		oom(c);
	free(v);
	return out;
}

/* construct_yaml_float(); 0 with *out, any double. */
static int
construct_float_value(struct ctx *c, const struct node *n, double *out)
{
	char *v = malloc(n->len + 1), *w = v, *p;
	int sign = 1, r = 0;

	if (v == NULL)
		return oom(c);
	for (size_t i = 0; i < n->len; i++) {
		if (n->value[i] != '_')
			*w++ = (char)tolower((unsigned char)n->value[i]);
	}
	*w = '\0';
	p = v;
	if (*p == '-')
		sign = -1;
	if (*p == '+' || *p == '-')
		p++;
	if (w == v) {
		r = -1;
	} else if (strcmp(p, ".inf") == 0) {
		*out = sign * INFINITY;
	} else if (strcmp(p, ".nan") == 0) {
		*out = NAN;
	} else if (strchr(p, ':') != NULL) {
		double base = 1, total = 0, x;
		char *part_end = p + strlen(p);

		for (;;) {
			char *colon = part_end;

			while (colon > p && colon[-1] != ':')
				colon--;
			if (python_float(colon, (size_t)(part_end - colon), &x) < 0) {
				r = -1;
				break;
			}
			total += x * base;
			base *= 60;
			if (colon == p)
				break;
			part_end = colon - 1;
		}
		*out = sign * total;
	} else if (python_float(p, strlen(p), out) == 0) {
		*out *= sign;
	} else {
		r = -1;
	}
	free(v);
	if (r < 0)
		return fail(c, n->line, n->column, "'%s' is not a float", n->value);
	return 0;
}

static json_t *
construct_float(struct ctx *c, const struct node *n)
{
	double d;
	json_t *out;

	if (construct_float_value(c, n, &d) < 0)
		return NULL;
	if (isnan(d) || isinf(d))
		out = refusal(c, n->line, n->column, "'%s' is %s, which has no JSON form", n->value,
			      isnan(d) ? "NaN" : "an infinity");
	else
		out = json_real(d);
	if (out == NULL)
		oom(c);
	return out;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return days[month - 1];
}

/* construct_yaml_timestamp(), as the date's isoformat() */
static json_t *
construct_timestamp(struct ctx *c, const struct node *n)
{
	struct timestamp t;
	char buf[64];
	size_t o;
	json_t *s;

	/* the regex's `$` also matches before a final newline */
	if (!match_timestamp(n->value, n->value + n->len, &t) &&
	    !(n->len && n->value[n->len - 1] == '\n' && match_timestamp(n->value, n->value + n->len - 1, &t))) {
		fail(c, n->line, n->column, "'%s' is not a timestamp", n->value);
		return NULL;
	}
	if (t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month)) {
		fail(c, n->line, n->column, "'%s' is not a valid date", n->value);
		return NULL;
	}
	o = (size_t)snprintf(buf, sizeof(buf), "%04d-%02d-%02d", t.year, t.month, t.day);
	if (t.has_time) {
		int offset = t.tz_sign * (t.tz_hour * 60 + t.tz_minute);

		if (t.hour > 23 || t.minute > 59 || t.second > 59) {
			fail(c, n->line, n->column, "'%s' is not a valid time", n->value);
			return NULL;
		}
		if (t.tz_hour * 60 + t.tz_minute >= 24 * 60) {
			fail(c, n->line, n->column, "'%s': the UTC offset is not within 24 hours", n->value);
			return NULL;
		}
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "T%02d:%02d:%02d", t.hour, t.minute, t.second);
		if (t.fraction)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, ".%06d", t.fraction);
		if (t.has_tz)
			snprintf(buf + o, sizeof(buf) - o, "%c%02d:%02d", offset < 0 ? '-' : '+', abs(offset) / 60,
				 abs(offset) % 60);
	}
	if ((s = marker(c, MARK_DATE, json_string(buf))) == NULL)
		oom(c);
	return s;
}

/* Why construct_yaml_binary() fails on TEXT (ASCII, then
 * base64.decodebytes(), which skips what is not base64), NULL if it does not. */
static const char *
base64_error(const char *text, size_t len)
{
	int quad = 0, pads = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch >= 0x80)
			return "failed to convert base64 data into ascii";
		if (ch == '=') {
			if (quad >= 2 && quad + ++pads >= 4)
				return NULL;
			continue;
		}
		if (isalnum(ch) || ch == '+' || ch == '/')
			quad = (quad + 1) & 3;
	}
	if (quad == 1)
		return "failed to decode base64 data: the number of data characters cannot be 1 more than a multiple of 4";
	if (quad != 0)
		return "failed to decode base64 data: Incorrect padding";
	return NULL;
}

/* A scalar node's value under its tag; NULL after an error. */
static json_t *
construct_scalar(struct ctx *c, const struct node *n)
{
	const char *tag = n->tag;
	json_t *v = NULL;

	if (n->id == T_STR) {
		if (expect_scalar(c, n) < 0)
			return NULL;
		v = json_stringn_nocheck(n->value, n->len);
	} else if (n->id == T_NULL) {
		if (expect_scalar(c, n) < 0)
			return NULL;
		v = json_null();
	} else if (n->id == T_BOOL) {
		static const char *const yes[] = { "yes", "true", "on", NULL }, *const no[] = { "no", "false", "off", NULL };
		char low[8];
		size_t i;

		if (expect_scalar(c, n) < 0)
			return NULL;
		for (i = 0; i < n->len && i < sizeof(low) - 1; i++)
			low[i] = (char)tolower((unsigned char)n->value[i]);
		low[i] = '\0';
		if (n->len < sizeof(low) && word_in(low, low + i, yes))
			v = json_true();
		else if (n->len < sizeof(low) && word_in(low, low + i, no))
			v = json_false();
		else {
			fail(c, n->line, n->column, "'%s' is not a boolean", n->value);
			return NULL;
		}
	} else if (n->id == T_INT) {
		if (expect_scalar(c, n) < 0)
			return NULL;
		return construct_int(c, n);
	} else if (n->id == T_FLOAT) {
		if (expect_scalar(c, n) < 0)
			return NULL;
		return construct_float(c, n);
	} else if (n->id == T_TIMESTAMP) {
		if (expect_scalar(c, n) < 0)
			return NULL;
		return construct_timestamp(c, n);
	} else if (n->id == T_VAULT) {
		if (expect_scalar(c, n) < 0)
			return NULL;
		v = marker(c, MARK_VAULT, json_stringn_nocheck(n->value, n->len));
	} else if (n->id == T_BINARY) {
		const char *why;

		if (expect_scalar(c, n) < 0)
			return NULL;
		if ((why = base64_error(n->value, n->len)) != NULL) {
			fail(c, n->line, n->column, "%s", why);
			return NULL;
		}
		v = refusal(c, n->line, n->column, "!!binary gives bytes, which have no JSON form");
	} else {
		fail(c, n->line, n->column, "could not determine a constructor for the tag '%s'", tag);
		return NULL;
	}
	if (v == NULL)
		oom(c);
	return v;
}

/* A mapping key as Python holds it: its class for equality, what json.dumps
 * writes for it, what str() gives for the warning. */
struct pykey {
	char *canon;            /* equal keys, equal canon; NULL: equal to nothing (NaN) */
	char *json;
	char *str;
};

static void
pykey_clear(struct pykey *k)
{
	free(k->canon);
	free(k->json);
	free(k->str);
	memset(k, 0, sizeof(*k));
}

static int
pykey_set(struct pykey *k, char canon_class, const char *canon, const char *json, size_t jsonlen, const char *str)
{
	size_t n = strlen(canon);

	k->canon = malloc(n + 2);
	k->json = malloc(jsonlen + 1);
	k->str = strdup(str);
	if (k->canon == NULL || k->json == NULL || k->str == NULL)
		return -1;
	k->canon[0] = canon_class;
	memcpy(k->canon + 1, canon, n + 1);
	memcpy(k->json, json, jsonlen);
	k->json[jsonlen] = '\0';
	return 0;
}

static int
pykey_of_float(struct pykey *k, double d)
{
	char repr[40], num[40];
	const char *json = repr;

	python_float_repr(d, repr, sizeof(repr));
	if (isnan(d))
		json = "NaN";
	else if (isinf(d))
		json = d < 0 ? "-Infinity" : "Infinity";
	if (!isnan(d) && d == floor(d) && fabs(d) < 9.2e18) {
		/* 1.0 == 1 == True in a dict */
		snprintf(num, sizeof(num), "%lld", (long long)d);
		return pykey_set(k, 'i', num, json, strlen(json), repr);
	}
	if (pykey_set(k, 'f', repr, json, strlen(json), repr) < 0)
		return -1;
	if (isnan(d)) {
		free(k->canon);
		k->canon = NULL;
	}
	return 0;
}

/* The key of node IDX: 0 with *k; 1 with *refused when Python takes the key
 * but JSON cannot hold it; -1 after an error. */
static int
construct_key(struct ctx *c, size_t idx, struct pykey *k, json_t **refused)
{
	const struct node *n = &c->nodes[idx];
	json_t *v;
	const char *mark;
	char num[32];
	int r = 0;

	memset(k, 0, sizeof(*k));
	if (n->kind == NODE_SCALAR && n->id == T_FLOAT) {
		double d;

		/* a float key may be .inf: json.dumps writes "Infinity" */
		if (construct_float_value(c, n, &d) < 0)
			return -1;
		return pykey_of_float(k, d) < 0 ? oom(c) : 0;
	}
	if ((v = construct_object(c, idx)) == NULL)
		return -1;
	n = &c->nodes[idx];
	mark = marker_kind(v);
	if (n->kind != NODE_SCALAR) {
		/* a list or dict, even one a refusal marks */
		r = fail(c, n->line, n->column, "found unacceptable key: a %s cannot be a key (unhashable)",
			 json_is_array(v) ? "sequence" : "mapping");
	} else if (json_is_string(v) || (mark != NULL && strcmp(mark, MARK_UNSAFE) == 0)) {
		const json_t *s = json_is_string(v) ? v : json_object_get(v, mark);
		const char *text = json_string_value(s);
		size_t len = json_string_length(s);

		if (memchr(text, '\0', len) != NULL)
			r = (*refused = refusal(c, n->line, n->column, "a key with a NUL character")) ? 1 : oom(c);
		else if (pykey_set(k, 's', text, text, len, text) < 0)
			r = oom(c);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		r = pykey_set(k, 'i', num, num, strlen(num), num) < 0 ? oom(c) : 0;
	} else if (json_is_boolean(v)) {
		r = pykey_set(k, 'i', json_is_true(v) ? "1" : "0", json_is_true(v) ? "true" : "false",
			      json_is_true(v) ? 4 : 5, json_is_true(v) ? "True" : "False") < 0 ? oom(c) : 0;
	} else if (json_is_null(v)) {
		r = pykey_set(k, 'n', "", "null", 4, "None") < 0 ? oom(c) : 0;
	} else if (json_is_real(v)) {
		r = pykey_of_float(k, json_real_value(v)) < 0 ? oom(c) : 0;
	} else if (mark != NULL && strcmp(mark, MARK_DATE) == 0) {
		*refused = refusal(c, n->line, n->column, "a date as a key has no JSON form (json.dumps refuses it)");
		r = *refused ? 1 : oom(c);
	} else if (mark != NULL && strcmp(mark, MARK_REFUSED) == 0) {
		r = 1;
		*refused = json_incref(v);
	} else if (mark != NULL) {
		r = fail(c, n->line, n->column, "a !vault value cannot be a key");
	} else {
		r = fail(c, n->line, n->column, "found unacceptable key: a %s cannot be a key (unhashable)",
			 json_is_array(v) ? "sequence" : "mapping");
	}
	json_decref(v);
	if (r != 0)
		pykey_clear(k);
	return r;
}

/* SafeConstructor.flatten_mapping(): merge keys (`<<`) replaced by the
 * pairs they bring, before the mapping's own; changes the nodes, as PyYAML
 * does. */
static int
flatten_mapping(struct ctx *c, size_t idx, unsigned depth)
{
	size_t *merge = NULL, nmerge = 0, index = 0;
	int r = -1;

	if (depth > MAX_DEPTH)
		return fail(c, c->nodes[idx].line, c->nodes[idx].column, "merge keys nested deeper than %d levels",
			    MAX_DEPTH);
	while (index < c->nodes[idx].nitems / 2) {
		struct node *n = &c->nodes[idx];
		size_t key = n->items[2 * index], value = n->items[2 * index + 1];
		struct node *k = &c->nodes[key], *v = &c->nodes[value];

		if (k->id == T_MERGE) {
			size_t first = nmerge;

			memmove(n->items + 2 * index, n->items + 2 * index + 2,
				(n->nitems - 2 * index - 2) * sizeof(*n->items));
			n->nitems -= 2;
			if (v->kind != NODE_MAPPING && v->kind != NODE_SEQUENCE) {
				fail(c, v->line, v->column,
				     "expected a mapping or list of mappings for merging, but found %s",
				     kind_name[v->kind]);
				goto out;
			}
			/* each mapping checked and flattened in turn, then a list's are
			 * taken last first: earlier ones win */
			for (size_t j = 0; j < (v->kind == NODE_MAPPING ? 1 : c->nodes[value].nitems); j++) {
				size_t sub = v->kind == NODE_MAPPING ? value : c->nodes[value].items[j];
				const struct node *s;
				size_t *grown;

				if (c->nodes[sub].kind != NODE_MAPPING) {
					fail(c, c->nodes[sub].line, c->nodes[sub].column,
					     "expected a mapping for merging, but found %s", kind_name[c->nodes[sub].kind]);
					goto out;
				}
				if (flatten_mapping(c, sub, depth + 1) < 0)
					goto out;
				s = &c->nodes[sub];
				v = &c->nodes[value];
				if ((grown = realloc(merge, (nmerge + s->nitems + 1) * sizeof(*merge))) == NULL) {
					oom(c);
					goto out;
				}
				merge = grown;
				/* a list's mappings go in front of the ones before them */
				memmove(merge + first + s->nitems, merge + first, (nmerge - first) * sizeof(*merge));
				/* an empty mapping (`<<: {}`) has no items array */
				if (s->nitems > 0)
					memcpy(merge + first, s->items, s->nitems * sizeof(*merge));
				nmerge += s->nitems;
			}
		} else {
			if (k->id == T_VALUE) {
				k->tag = TAG_STR;
				k->id = T_STR;
			}
			index++;
		}
	}
	if (nmerge > 0) {
		struct node *n = &c->nodes[idx];
		size_t *items = malloc((nmerge + n->nitems) * sizeof(*items));

		if (items == NULL) {
			oom(c);
			goto out;
		}
		memcpy(items, merge, nmerge * sizeof(*items));
		if (n->nitems)
			memcpy(items + nmerge, n->items, n->nitems * sizeof(*items));
		free(n->items);
		n->items = items;
		n->nitems += nmerge;
		n->citems = n->nitems;
	}
	r = 0;
out:
	free(merge);
	return r;
}

/* A key as Python's repr() shows it, for "%s%s%s" */
#define QUOTED(k) ((k).canon && (k).canon[0] == 's' ? "'" : ""), (k).str, \
		  ((k).canon && (k).canon[0] == 's' ? "'" : "")

/* AnsibleConstructor.construct_mapping() into OUT (empty): the keys in the
 * order Python's dict keeps them, a warning for each key given twice.
 * 0, or -1 after an error. */
static int
fill_mapping(struct ctx *c, size_t idx, json_t *out)
{
	struct node *n = &c->nodes[idx];
	struct entry {
		struct pykey key;
		size_t node;            /* of the key as first written */
		json_t *value;
	} *entries = NULL;
	size_t nentries = 0;
	json_t *seen = NULL, *refused = NULL;
	int r = -1;

	if (n->kind != NODE_MAPPING)
		return fail(c, n->line, n->column, "expected a mapping node, but found %s", kind_name[n->kind]);
	if (flatten_mapping(c, idx, 0) < 0)
		return -1;
	n = &c->nodes[idx];
	if ((seen = json_object()) == NULL ||
	    (n->nitems && (entries = calloc(n->nitems / 2, sizeof(*entries))) == NULL)) {
		oom(c);
		goto out;
	}
	for (size_t i = 0; i + 1 < c->nodes[idx].nitems; i += 2) {
		size_t key = c->nodes[idx].items[i], value = c->nodes[idx].items[i + 1];
		struct pykey k;
		json_t *prev, *v, *key_refused = NULL;
		size_t at = nentries;
		int kr;

		if ((kr = construct_key(c, key, &k, &key_refused)) < 0)
			goto out;
		if (kr > 0) {
			/* the value is still built: Ansible may fail on it first */
			if (refused == NULL)
				refused = key_refused;
			else
				json_decref(key_refused);
			if ((v = construct_object(c, value)) == NULL)
				goto out;
			json_decref(v);
			continue;
		}
		if (k.canon != NULL && (prev = json_object_get(seen, k.canon)) != NULL) {
			const struct node *m = &c->nodes[idx], *kn = &c->nodes[key];
			char *w = NULL;

			at = (size_t)json_integer_value(prev);
			if (c->warnings != NULL &&
			    (asprintf(&w,
				      "%s:%zu:%zu: While constructing a mapping from %s, line %zu, column %zu, found a "
				      "duplicate dict key (%s). Using last defined value only.",
				      c->filename, kn->line + 1, kn->column + 1, c->filename, m->line + 1, m->column + 1,
				      k.str) < 0 || strvec_push(c->warnings, w) < 0)) {
				pykey_clear(&k);
				oom(c);
				goto out;
			}
			pykey_clear(&k);
		} else {
			if (k.canon != NULL &&
			    json_object_set_new_nocheck(seen, k.canon, json_integer((json_int_t)nentries)) < 0) {
				pykey_clear(&k);
				oom(c);
				goto out;
			}
			entries[nentries].node = key;
			entries[nentries++].key = k;
		}
		if ((v = construct_object(c, value)) == NULL)
			goto out;
		json_decref(entries[at].value);
		entries[at].value = v;
	}
	/* json.dumps writes every key; where two become the same text, a
	 * reader keeps the later one */
	for (size_t i = 0; i < nentries; i++) {
		json_t *v = entries[i].value;

		if (v == out) {
			/* jansson will not put an object in itself; json.dumps would
			 * refuse the recursion anyway, if it is still there */
			const struct node *m = &c->nodes[idx];

			if ((v = refusal(c, m->line, m->column, "an alias refers to this mapping from inside it; a "
					 "recursive structure has no JSON form")) == NULL) {
				oom(c);
				goto out;
			}
			json_decref(entries[i].value);
			entries[i].value = v;
		}
		json_t *shadowed = json_object_get(out, entries[i].key.json);

		if (shadowed != NULL) {
			/* kept aside: ansible-inventory prints it, and fails on what it cannot */
			char aside[32], *w = NULL;
			const struct node *kn = &c->nodes[entries[i].node];

			snprintf(aside, sizeof(aside), MARK_SHADOWED "%zu", i);
			c->shadowed = 1;
			if (json_object_set_nocheck(out, aside, shadowed) < 0 ||
			    (c->warnings != NULL &&
			     (asprintf(&w, "%s:%zu:%zu: key %s%s%s is written \"%s\" by ansible-inventory, as an "
				       "earlier key of this mapping: a JSON reader takes the later value", c->filename,
				       kn->line + 1, kn->column + 1, QUOTED(entries[i].key), entries[i].key.json) < 0 ||
			      strvec_push(c->warnings, w) < 0))) {
				oom(c);
				goto out;
			}
		}
		if (json_object_set_nocheck(out, entries[i].key.json, v) < 0) {
			oom(c);
			goto out;
		}
	}
	if (refused != NULL && refuse_object(out, refused) < 0) {
		oom(c);
		goto out;
	}
	r = 0;
out:
	for (size_t i = 0; i < nentries; i++) {
		pykey_clear(&entries[i].key);
		json_decref(entries[i].value);
	}
	free(entries);
	json_decref(seen);
	json_decref(refused);
	return r;
}

/* construct_mapping() as a new object; NULL after an error. */
static json_t *
construct_mapping(struct ctx *c, size_t idx)
{
	json_t *out = json_object();

	if (out == NULL) {
		oom(c);
		return NULL;
	}
	if (fill_mapping(c, idx, out) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* SafeConstructor.construct_sequence(): the items as they are now. */
static json_t *
construct_sequence(struct ctx *c, size_t idx)
{
	const struct node *n = &c->nodes[idx];
	json_t *out;

	if (n->kind != NODE_SEQUENCE) {
		fail(c, n->line, n->column, "expected a sequence node, but found %s", kind_name[n->kind]);
		return NULL;
	}
	if ((out = json_array()) == NULL) {
		oom(c);
		return NULL;
	}
	for (size_t i = 0; i < c->nodes[idx].nitems; i++) {
		json_t *v = construct_object(c, c->nodes[idx].items[i]);

		if (v == NULL || json_array_append_new(out, v) < 0) {
			json_decref(out);
			return v == NULL ? NULL : (oom(c), NULL);
		}
	}
	return out;
}

/* construct_yaml_omap() / construct_yaml_pairs(): [[key, value], ...] */
static json_t *
construct_pairs(struct ctx *c, size_t idx, const char *what)
{
	const struct node *n = &c->nodes[idx];
	json_t *out;

	if (n->kind != NODE_SEQUENCE) {
		fail(c, n->line, n->column, "while constructing %s: expected a sequence, but found %s", what,
		     kind_name[n->kind]);
		return NULL;
	}
	if ((out = json_array()) == NULL) {
		oom(c);
		return NULL;
	}
	for (size_t i = 0; i < c->nodes[idx].nitems; i++) {
		const struct node *s = &c->nodes[c->nodes[idx].items[i]];
		json_t *k, *v, *pair;

		if (s->kind != NODE_MAPPING) {
			fail(c, s->line, s->column, "while constructing %s: expected a mapping of length 1, but found %s",
			     what, kind_name[s->kind]);
			goto bad;
		}
		if (s->nitems != 2) {
			fail(c, s->line, s->column, "while constructing %s: expected a single mapping item, but found %zu items",
			     what, s->nitems / 2);
			goto bad;
		}
		{
			size_t key = s->items[0], value = s->items[1];

			if ((k = construct_object(c, key)) == NULL)
				goto bad;
			if ((v = construct_object(c, value)) == NULL) {
				json_decref(k);
				goto bad;
			}
		}
		if ((pair = json_array()) == NULL || json_array_append_new(pair, k) < 0 ||
		    json_array_append_new(pair, v) < 0 || json_array_append_new(out, pair) < 0) {
			oom(c);
			goto bad;
		}
	}
	return out;
bad:
	json_decref(out);
	return NULL;
}

/* map, and set, which is built as one (its keys), then refused */
static int
is_map_tag(enum tag_id id)
{
	return id == T_MAP || id == T_SET;
}

/* BaseConstructor.construct_object(): a new reference. Collections come
 * back empty and are filled later, in the order PyYAML fills them (which
 * `!unsafe` shows: it copies them as they are). */
static json_t *
construct_object(struct ctx *c, size_t idx)
{
	struct node *n = &c->nodes[idx];
	json_t *v;

	if (n->built != NULL)
		return json_incref(n->built);
	if (n->constructing) {
		fail(c, n->line, n->column, "found unconstructable recursive node");
		return NULL;
	}
	if (is_map_tag(n->id) || n->id == T_SEQ || n->id == T_OMAP || n->id == T_PAIRS) {
		v = is_map_tag(n->id) ? json_object() : json_array();
		if (v == NULL || enqueue(c, idx) < 0) {
			json_decref(v);
			oom(c);
			return NULL;
		}
	} else if (n->id == T_UNSAFE) {
		json_t *inner;

		n->constructing = 1;
		if (n->kind == NODE_SCALAR)
			inner = json_stringn_nocheck(n->value, n->len);
		else if (n->kind == NODE_SEQUENCE)
			inner = construct_sequence(c, idx);
		else
			inner = construct_mapping(c, idx);
		c->nodes[idx].constructing = 0;
		if (inner == NULL) {
			oom(c);
			return NULL;
		}
		{
			struct path_set path = { 0 };

			v = wrap_var(c, inner, &path);
			free(path.slots);
		}
		json_decref(inner);
		if (v == NULL)
			return NULL;
	} else if ((v = construct_scalar(c, n)) == NULL) {
		return NULL;
	}
	c->nodes[idx].built = v;
	return json_incref(v);
}

/* construct_document(): the root, then every collection in turn. */
static json_t *
construct_document(struct ctx *c, size_t root)
{
	json_t *data = construct_object(c, root);

	while (data != NULL && c->queue_head < c->nqueue) {
		size_t idx = c->queue[c->queue_head++];
		json_t *into = c->nodes[idx].built, *filled;
		enum tag_id id = c->nodes[idx].id;
		int r;

		if (is_map_tag(id)) {
			if (fill_mapping(c, idx, into) < 0)
				goto bad;
			if (id == T_SET) {
				const struct node *n = &c->nodes[idx];
				json_t *why = refusal(c, n->line, n->column, "!!set gives a set, which has no JSON form");

				if (why == NULL || refuse_object(into, why) < 0) {
					json_decref(why);
					oom(c);
					goto bad;
				}
				json_decref(why);
			}
			continue;
		}
		filled = id == T_SEQ ? construct_sequence(c, idx)
				     : construct_pairs(c, idx, id == T_OMAP ? "an ordered map" : "pairs");
		if (filled == NULL)
			goto bad;
		r = json_array_extend(into, filled);
		json_decref(filled);
		if (r < 0) {
			oom(c);
			goto bad;
		}
	}
	return data;
bad:
	json_decref(data);
	return NULL;
}

static void
ctx_release(struct ctx *c)
{
	for (size_t i = 0; i < c->nnodes; i++) {
		free(c->nodes[i].tag_owned);
		free(c->nodes[i].items);
		/* aliases may have made the collections hold each other */
		if (c->aliased && json_is_object(c->nodes[i].built))
			json_object_clear(c->nodes[i].built);
		else if (c->aliased && json_is_array(c->nodes[i].built))
			json_array_clear(c->nodes[i].built);
	}
	for (size_t i = 0; i < c->nnodes; i++)
		json_decref(c->nodes[i].built);
	free(c->nodes);
	free(c->queue);
	arena_free(c->texts);
}

/* ---- the whole file ---------------------------------------------------- */

/* Offset of the first byte Python's strict UTF-8 decoder refuses. */
static size_t
first_invalid_utf8(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char lead = (unsigned char)s[i];
		size_t n = lead < 0x80 ? 1 : lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;

		if (n == 0 || i + n > len || !utf8_valid(s + i, n))
			return i;
		i += n;
	}
	return len;
}

static int
vault_file(const char *text, size_t len)
{
	static const char header[] = "$ANSIBLE_VAULT";

	if (len < sizeof(header) - 1 || memcmp(text, header, sizeof(header) - 1) != 0)
		return 0;
	/* ansible.parsing.vault.is_encrypted(): ASCII text only */
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)text[i] >= 0x80)
			return 0;
	}
	return 1;
}

int
inv_yaml_parse(const char *filename, const char *text, size_t len, json_t **out, struct strvec *warnings,
	       char *err, size_t errlen)
{
	struct ctx c = { .filename = filename, .warnings = warnings, .err = err, .errlen = errlen };
	json_t *value = NULL;
	size_t root;
	int r;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!utf8_valid(text, len)) {
		size_t line, col, at = first_invalid_utf8(text, len);

		position_of(text, len, at, &line, &col);
		return fail(&c, line, col, "not valid UTF-8 (byte 0x%02x)", (unsigned char)text[at]);
	}
	if (vault_file(text, len)) {
		snprintf(err, errlen, "%s: vault-encrypted file: orch cannot decrypt it", filename);
		return -1;
	}
	if ((r = parse_json(&c, text, len, &value)) != 0) {
		if (r < 0)
			return -1;
	} else {
		if (compose(&c, text, len, &root) < 0)
			goto bad;
		if (root == NOT_FOUND) {
			value = json_null();
		} else {
			if (size_nodes(&c, root, 0) < 0)
				goto bad;
			if ((value = construct_document(&c, root)) == NULL)
				goto bad;
		}
	}
	if (c.marked || c.aliased || c.shadowed) {
		struct path_set path = { 0 };

		*out = final_copy(&c, value, &path);
		free(path.slots);
		json_decref(value);
	} else {
		/* nothing to replace, nothing shared */
		*out = value;
	}
	ctx_release(&c);
	return *out == NULL ? -1 : 0;
bad:
	if (!c.failed)
		oom(&c);
	ctx_release(&c);
	return -1;
}
