/*
 * ast.literal_eval() for inventory values. ansible-core's ini plugin runs
 * every value through it and keeps the text as a string when Python raises
 * ValueError or SyntaxError, so "22" is an integer, "'22'" and "a b" are
 * strings and "[1, 2]" a list. This accepts exactly the Python expressions
 * literal_eval accepts (numbers, strings and bytes with their escapes and
 * implicit concatenation, True/False/None, lists, tuples, dicts, unary +/-
 * on numbers) and rejects everything else, which is what decides whether a
 * value stays a string.
 */
#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_private.h"

/* What an atom was, for the rules that depend on it (unary minus applies to
 * number constants only; dict keys must be hashable). */
enum kind { K_INT, K_FLOAT, K_COMPLEX, K_CONST, K_STR, K_TUPLE, K_LIST, K_DICT };

struct lit {
	const char *p, *e;
	int depth;
};

struct val {
	enum kind kind;
	int neg;                /* K_INT: magnitude is negated */
	int is_signed;          /* a unary +/- made it: no further sign allowed */
	unsigned long long mag; /* K_INT */
	int mag_overflow;       /* K_INT beyond 64 bits */
	double d;               /* K_FLOAT */
	json_t *j;              /* everything but numbers; owned */
};

static void
val_clear(struct val *v)
{
	json_decref(v->j);
	v->j = NULL;
}

static void
skip_ws(struct lit *l)
{
	while (l->p < l->e) {
		if (*l->p == ' ' || *l->p == '\t' || *l->p == '\f') {
			l->p++;
		} else if (*l->p == '#') {
			l->p = l->e;
		} else {
			break;
		}
	}
}

static int
peek(struct lit *l)
{
	skip_ws(l);
	return l->p < l->e ? (unsigned char)*l->p : -1;
}

static int
ident_char(int c)
{
	return c >= 0x80 || isalnum(c) || c == '_';
}

static int
digit_part(struct lit *l, int (*cls)(int), char *out, size_t *n, size_t cap, int leading_underscore)
{
	const char *start = l->p;

	/* digit (["_"] digit)*, or ("_"? digit)+ for the prefixed radixes */
	for (;;) {
		if (l->p < l->e && *l->p == '_' && (l->p > start || leading_underscore) && l->p + 1 < l->e &&
		    cls((unsigned char)l->p[1]))
			l->p++;
		if (l->p < l->e && cls((unsigned char)*l->p)) {
			if (*n + 1 < cap)
				out[(*n)++] = *l->p;
			else
				(*n)++;
			l->p++;
			continue;
		}
		break;
	}
	return l->p > start && l->p[-1] != '_' ? 0 : -1;
}

static int
cls_dec(int c)
{
	return c >= '0' && c <= '9';
}

static int
cls_hex(int c)
{
	return c < 0x80 && isxdigit(c);
}

static int
cls_oct(int c)
{
	return c >= '0' && c <= '7';
}

static int
cls_bin(int c)
{
	return c == '0' || c == '1';
}

static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Python reads "1.5" whatever the process locale; so must strtod. */
static locale_t
c_locale(void)
{
	pthread_once(&c_loc_once, c_locale_init);
	return c_loc;
}

static int
number(struct lit *l, struct val *v)
{
	char buf[512];
	size_t n = 0;
	int radix = 10, is_float = 0;

	memset(v, 0, sizeof(*v));
	if (l->p + 1 < l->e && l->p[0] == '0' && strchr("xXoObB", l->p[1])) {
		int (*cls)(int) = strchr("xX", l->p[1]) ? cls_hex : strchr("oO", l->p[1]) ? cls_oct : cls_bin;

		radix = cls == cls_hex ? 16 : cls == cls_oct ? 8 : 2;
		l->p += 2;
		if (digit_part(l, cls, buf, &n, sizeof(buf), 1) < 0)
			return -1;
	} else {
		int nonzero = 0;

		if (*l->p != '.') {
			if (digit_part(l, cls_dec, buf, &n, sizeof(buf), 0) < 0)
				return -1;
		}
		for (size_t i = 0; i < n && i < sizeof(buf); i++)
			nonzero |= buf[i] != '0';
		if (l->p < l->e && *l->p == '.') {
			is_float = 1;
			if (n + 1 < sizeof(buf))
				buf[n] = '.';
			n++;
			l->p++;
			if (l->p < l->e && cls_dec((unsigned char)*l->p)) {
				if (digit_part(l, cls_dec, buf, &n, sizeof(buf), 0) < 0)
					return -1;
			} else if (n == 1) {
				return -1;      /* a lone "." */
			}
		}
		if (l->p < l->e && (*l->p == 'e' || *l->p == 'E')) {
			is_float = 1;
			if (n + 1 < sizeof(buf))
				buf[n] = 'e';
			n++;
			l->p++;
			if (l->p < l->e && (*l->p == '+' || *l->p == '-')) {
				if (n + 1 < sizeof(buf))
					buf[n] = *l->p;
				n++;
				l->p++;
			}
			if (digit_part(l, cls_dec, buf, &n, sizeof(buf), 0) < 0)
				return -1;
		}
		if (l->p < l->e && (*l->p == 'j' || *l->p == 'J')) {
			l->p++;
			v->kind = K_COMPLEX;
			goto end;
		}
		/* "01" is a SyntaxError; "00" and "0_0" are zero. */
		if (!is_float && n > 1 && buf[0] == '0' && nonzero)
			return -1;
	}
	if (is_float) {
		char *endp;

		if (n >= sizeof(buf))
			return -1;
		buf[n] = '\0';
		v->kind = K_FLOAT;
		if (c_locale() == (locale_t)0)
			return -1;
		v->d = strtod_l(buf, &endp, c_locale());
		if (*endp != '\0')
			return -1;
	} else {
		v->kind = K_INT;
		for (size_t i = 0; i < n; i++) {
			unsigned d = i < sizeof(buf) ? (unsigned)(isdigit((unsigned char)buf[i]) ? buf[i] - '0'
							      : tolower((unsigned char)buf[i]) - 'a' + 10)
						    : 0;

			if (i >= sizeof(buf) || v->mag > (ULLONG_MAX - d) / (unsigned)radix) {
				v->mag_overflow = 1;
				break;
			}
			v->mag = v->mag * (unsigned)radix + d;
		}
	}
end:
	/* "1if", "0x1g", "1.e": a number runs into a name, never a literal */
	if (l->p < l->e && (ident_char((unsigned char)*l->p) || *l->p == '.'))
		return -1;
	return 0;
}

/* ---- strings ---- */

struct sbuf {
	char *p;
	size_t n, cap;
};

static int
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static int
sbuf_utf8(struct sbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp >= 0xd800 && cp <= 0xdfff)
		return -1;      /* a lone surrogate has no UTF-8 form */
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp <= 0x10ffff) {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		return -1;
	}
	return sbuf_add(b, u, n);
}

static int
hex_digits(const char *p, const char *e, int count, unsigned long *out)
{
	*out = 0;
	for (int i = 0; i < count; i++) {
		if (p + i >= e || !cls_hex((unsigned char)p[i]))
			return -1;
		*out = *out * 16 + (unsigned long)(isdigit((unsigned char)p[i]) ? p[i] - '0'
						   : tolower((unsigned char)p[i]) - 'a' + 10);
	}
	return 0;
}

/* A string prefix (r, u, b, f and their pairs) directly before a quote. */
static int
string_prefix(struct lit *l, size_t *plen, int *raw, int *bytes, int *fstr)
{
	size_t n = 0;
	int u = 0;

	*raw = *bytes = *fstr = 0;
	while (l->p + n < l->e && n < 3 && strchr("rRbBuUfF", l->p[n]) && l->p[n] != '\0') {
		switch (tolower((unsigned char)l->p[n])) {
		case 'r': if (*raw) return 0; *raw = 1; break;
		case 'b': if (*bytes) return 0; *bytes = 1; break;
		case 'f': if (*fstr) return 0; *fstr = 1; break;
		default: if (u) return 0; u = 1; break;
		}
		n++;
	}
	if (l->p + n >= l->e || (l->p[n] != '\'' && l->p[n] != '"'))
		return 0;
	if ((u && n > 1) || (*bytes && *fstr))
		return 0;
	*plen = n;
	return 1;
}

/* One string literal at l->p (prefix included), appended to B. */
static int
string_literal(struct lit *l, struct sbuf *b, int *bytes, int *fstr)
{
	size_t plen;
	int raw, triple;
	char q;

	if (!string_prefix(l, &plen, &raw, bytes, fstr))
		return -1;
	l->p += plen;
	q = *l->p;
	triple = l->e - l->p >= 3 && l->p[1] == q && l->p[2] == q;
	l->p += triple ? 3 : 1;
	for (;;) {
		unsigned char c;

		if (l->p >= l->e)
			return -1;
		c = (unsigned char)*l->p;
		if (c == (unsigned char)q && (!triple || (l->e - l->p >= 3 && l->p[1] == q && l->p[2] == q))) {
			l->p += triple ? 3 : 1;
			return 0;
		}
		if (c == '\n' && !triple)
			return -1;
		if (*bytes && c >= 0x80)
			return -1;
		if (c != '\\') {
			if (sbuf_add(b, l->p++, 1) < 0)
				return -1;
			continue;
		}
		if (l->p + 1 >= l->e)
			return -1;
		if (raw) {
			/* the backslash stays, and keeps the next character from ending the string */
			if (sbuf_add(b, l->p, 2) < 0)
				return -1;
			l->p += 2;
			continue;
		}
		l->p++;
		c = (unsigned char)*l->p++;
		switch (c) {
		case '\n': break;
		case '\\': case '\'': case '"':
			if (sbuf_add(b, (char *)&c, 1) < 0)
				return -1;
			break;
		case 'a': if (sbuf_add(b, "\a", 1) < 0) return -1; break;
		case 'b': if (sbuf_add(b, "\b", 1) < 0) return -1; break;
		case 'f': if (sbuf_add(b, "\f", 1) < 0) return -1; break;
		case 'n': if (sbuf_add(b, "\n", 1) < 0) return -1; break;
		case 'r': if (sbuf_add(b, "\r", 1) < 0) return -1; break;
		case 't': if (sbuf_add(b, "\t", 1) < 0) return -1; break;
		case 'v': if (sbuf_add(b, "\v", 1) < 0) return -1; break;
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
			unsigned long v = c - '0';

			for (int i = 0; i < 2 && l->p < l->e && cls_oct((unsigned char)*l->p); i++)
				v = v * 8 + (unsigned long)(*l->p++ - '0');
			if (*bytes) {
				char ch = (char)v;

				if (v > 0xff || sbuf_add(b, &ch, 1) < 0)
					return -1;
			} else if (sbuf_utf8(b, v) < 0) {
				return -1;
			}
			break;
		}
		case 'x': {
			unsigned long v;

			if (hex_digits(l->p, l->e, 2, &v) < 0)
				return -1;
			l->p += 2;
			if (*bytes) {
				char ch = (char)v;

				if (sbuf_add(b, &ch, 1) < 0)
					return -1;
			} else if (sbuf_utf8(b, v) < 0) {
				return -1;
			}
			break;
		}
		case 'u': case 'U': {
			unsigned long v;
			int count = c == 'u' ? 4 : 8;

			if (*bytes) {
				/* not an escape in bytes: both characters stay */
				if (sbuf_add(b, "\\", 1) < 0 || sbuf_add(b, (char *)&c, 1) < 0)
					return -1;
				break;
			}
			if (hex_digits(l->p, l->e, count, &v) < 0 || sbuf_utf8(b, v) < 0)
				return -1;
			l->p += count;
			break;
		}
		case 'N':
			if (*bytes) {
				if (sbuf_add(b, "\\N", 2) < 0)
					return -1;
				break;
			}
			return -1;      /* \N{name}: no Unicode name table here */
		default:
			/* an unknown escape keeps its backslash */
			l->p--;
			if (sbuf_add(b, "\\", 1) < 0)
				return -1;
			break;
		}
	}
}

static int
is_string_start(struct lit *l)
{
	size_t plen;
	int raw, bytes, fstr;

	return string_prefix(l, &plen, &raw, &bytes, &fstr);
}

/* Adjacent literals concatenate; str and bytes do not mix; f-strings are not literals. */
static int
strings(struct lit *l, struct val *v)
{
	struct sbuf b = { 0 };
	int first = 1, was_bytes = 0, r = -1;

	memset(v, 0, sizeof(*v));
	v->kind = K_STR;
	do {
		int bytes, fstr;

		if (string_literal(l, &b, &bytes, &fstr) < 0 || fstr)
			goto out;
		if (!first && bytes != was_bytes)
			goto out;
		was_bytes = bytes;
		first = 0;
		skip_ws(l);
	} while (l->p < l->e && is_string_start(l));
	if (b.p == NULL && sbuf_add(&b, "", 0) < 0)
		goto out;
	/* ansible decodes bytes as UTF-8; embedded NULs have no C string form */
	if (memchr(b.p, '\0', b.n) || !utf8_valid(b.p, b.n))
		goto out;
	if ((v->j = json_stringn(b.p, b.n)) == NULL)
		goto out;
	r = 0;
out:
	free(b.p);
	return r;
}

/* ---- expressions ---- */

static int expr(struct lit *l, struct val *v);
static int test(struct lit *l, struct val *v);

static json_t *
to_json(struct val *v)
{
	json_t *j = NULL;

	switch (v->kind) {
	case K_INT:
		if (v->mag_overflow)
			return NULL;
		if (v->neg) {
			if (v->mag > (unsigned long long)INT64_MAX + 1)
				return NULL;
			return json_integer((json_int_t)(0 - v->mag));
		}
		if (v->mag > (unsigned long long)INT64_MAX)
			return NULL;
		return json_integer((json_int_t)v->mag);
	case K_FLOAT:
		if (!isfinite(v->d))
			return NULL;
		return json_real(v->d);
	case K_COMPLEX:
		return NULL;
	default:
		j = v->j;
		v->j = NULL;
		return j;
	}
}

/* printf's %e under a locale with a decimal comma */
static void
decimal_point_dot(char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			*s = '.';
	}
}

/* Python's repr(float), which json.dumps uses for float dict keys: the
 * shortest digits that read back the same, fixed notation for exponents in
 * [-4, 16), scientific with a two-digit exponent otherwise. */
static void
float_repr(double d, char *out, size_t outlen)
{
	char sci[40], mant[40], buf[64], *q = mant, *ep;
	const char *p;
	int prec, exp10, neg = signbit(d) != 0;
	size_t nd, o = 0;

	for (prec = 1; prec < 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
		decimal_point_dot(sci);
		if ((c_locale() ? strtod_l(sci, NULL, c_locale()) : strtod(sci, NULL)) == d)
			break;
	}
	snprintf(sci, sizeof(sci), "%.*e", prec - 1, fabs(d));
	decimal_point_dot(sci);
	ep = strchr(sci, 'e');
	exp10 = atoi(ep + 1);
	for (p = sci; p < ep; p++) {
		if (*p != '.')
			*q++ = *p;
	}
	*q = '\0';
	nd = strlen(mant);
	if (d == 0)
		exp10 = 0;
	if (neg)
		buf[o++] = '-';
	if (exp10 >= -4 && exp10 < 16) {
		if (exp10 < 0) {
			buf[o++] = '0';
			buf[o++] = '.';
			for (int i = 0; i < -exp10 - 1; i++)
				buf[o++] = '0';
			memcpy(buf + o, mant, nd);
			o += nd;
		} else if ((size_t)exp10 + 1 >= nd) {
			memcpy(buf + o, mant, nd);
			o += nd;
			for (size_t i = nd; i < (size_t)exp10 + 1; i++)
				buf[o++] = '0';
			buf[o++] = '.';
			buf[o++] = '0';
		} else {
			memcpy(buf + o, mant, (size_t)exp10 + 1);
			o += (size_t)exp10 + 1;
			buf[o++] = '.';
			memcpy(buf + o, mant + exp10 + 1, nd - (size_t)exp10 - 1);
			o += nd - (size_t)exp10 - 1;
		}
		buf[o] = '\0';
	} else {
		snprintf(buf + o, sizeof(buf) - o, "%c%s%se%c%02d", mant[0], nd > 1 ? "." : "", mant + 1,
			 exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
	}
	snprintf(out, outlen, "%s", buf);
}

/* The string json.dumps writes for a dict key, or -1 when it would refuse. */
static int
dict_key(struct val *k, char *buf, size_t buflen, const char **key)
{
	switch (k->kind) {
	case K_STR:
		*key = json_string_value(k->j);
		return 0;
	case K_INT:
		if (k->mag_overflow)
			return -1;
		snprintf(buf, buflen, "%s%llu", k->neg && k->mag ? "-" : "", k->mag);
		*key = buf;
		return 0;
	case K_FLOAT:
		if (!isfinite(k->d))
			return -1;
		float_repr(k->d, buf, buflen);
		*key = buf;
		return 0;
	case K_CONST:
		*key = json_is_true(k->j) ? "true" : json_is_false(k->j) ? "false" : "null";
		return 0;
	default:
		return -1;      /* tuples cannot be JSON keys; lists and dicts are unhashable */
	}
}

static int
expect(struct lit *l, int c)
{
	if (peek(l) != c)
		return -1;
	l->p++;
	return 0;
}

/* [a, b,]  (a, b,)  {k: v,} -- comma lists with an optional trailing comma */
static int
sequence(struct lit *l, json_t *arr, int close)
{
	if (peek(l) == close) {
		l->p++;
		return 0;
	}
	for (;;) {
		struct val v;
		json_t *j;

		if (test(l, &v) < 0)
			return -1;
		j = to_json(&v);
		val_clear(&v);
		if (j == NULL || json_array_append_new(arr, j) < 0)
			return -1;
		if (peek(l) == close) {
			l->p++;
			return 0;
		}
		if (expect(l, ',') < 0)
			return -1;
		if (peek(l) == close) {
			l->p++;
			return 0;
		}
	}
}

/* The number a key stands for, when it is one: Python's dict takes True,
 * 1 and 1.0 for the same key (the first spelling stays, the last value wins). */
static int
numeric_key(const struct val *k, double *out)
{
	if (k->kind == K_INT && !k->mag_overflow) {
		*out = k->neg ? -(double)k->mag : (double)k->mag;
		return 1;
	}
	if (k->kind == K_FLOAT) {
		*out = k->d;
		return 1;
	}
	if (k->kind == K_CONST && json_is_boolean(k->j)) {
		*out = json_is_true(k->j) ? 1 : 0;
		return 1;
	}
	return 0;
}

struct numkeys {
	double *num;
	char **key;
	size_t n;
};

/* The key to store under: an earlier spelling of the same number, or KEY. */
static const char *
numkey_resolve(struct numkeys *nk, double num, const char *key)
{
	double *nn;
	char **nkey, *copy;

	for (size_t i = 0; i < nk->n; i++) {
		if (nk->num[i] == num)
			return nk->key[i];
	}
	if ((copy = strdup(key)) == NULL)
		return NULL;
	nn = realloc(nk->num, (nk->n + 1) * sizeof(*nn));
	if (nn)
		nk->num = nn;
	nkey = realloc(nk->key, (nk->n + 1) * sizeof(*nkey));
	if (nkey)
		nk->key = nkey;
	if (nn == NULL || nkey == NULL) {
		free(copy);
		return NULL;
	}
	nk->num[nk->n] = num;
	nk->key[nk->n++] = copy;
	return copy;
}

static int
dict_rest(struct lit *l, struct val *first, json_t *obj)
{
	struct val k = *first, v;
	struct numkeys nk = { 0 };
	int r = -1;

	memset(first, 0, sizeof(*first));
	for (;;) {
		char buf[64];
		const char *key = NULL;
		json_t *j = NULL;
		double num;
		int bad;

		bad = expect(l, ':') < 0 || test(l, &v) < 0;
		if (!bad) {
			j = to_json(&v);
			val_clear(&v);
			bad = j == NULL || dict_key(&k, buf, sizeof(buf), &key) < 0;
		}
		if (!bad && numeric_key(&k, &num))
			bad = (key = numkey_resolve(&nk, num, key)) == NULL;
		if (!bad) {
			bad = json_object_set_new(obj, key, j) < 0;
			j = NULL;
		}
		json_decref(j);
		val_clear(&k);
		if (bad)
			goto out;
		if (peek(l) == '}')
			break;
		if (expect(l, ',') < 0)
			goto out;
		if (peek(l) == '}')
			break;
		if (test(l, &k) < 0)
			goto out;
	}
	l->p++;
	r = 0;
out:
	for (size_t i = 0; i < nk.n; i++)
		free(nk.key[i]);
	free(nk.num);
	free(nk.key);
	return r;
}

static int
atom_inner(struct lit *l, struct val *v)
{
	int c = peek(l);

	if (c < 0)
		return -1;
	if (is_string_start(l))
		return strings(l, v);
	if (cls_dec(c) || (c == '.' && l->p + 1 < l->e && cls_dec((unsigned char)l->p[1])))
		return number(l, v);
	if (c == '[') {
		l->p++;
		v->kind = K_LIST;
		if ((v->j = json_array()) == NULL)
			return -1;
		return sequence(l, v->j, ']');
	}
	if (c == '(') {
		l->p++;
		if (peek(l) == ')') {
			l->p++;
			v->kind = K_TUPLE;
			return (v->j = json_array()) ? 0 : -1;
		}
		if (test(l, v) < 0)
			return -1;
		if (peek(l) == ')') {
			/* parentheses make no node: "-(1)" is still -1 */
			l->p++;
			return 0;
		}
		{
			json_t *arr = json_array(), *j = to_json(v);

			val_clear(v);
			v->kind = K_TUPLE;
			v->j = arr;
			if (arr == NULL || j == NULL || json_array_append_new(arr, j) < 0)
				return -1;
			if (expect(l, ',') < 0)
				return -1;
			return sequence(l, arr, ')');
		}
	}
	if (c == '{') {
		struct val first;

		l->p++;
		v->kind = K_DICT;
		if ((v->j = json_object()) == NULL)
			return -1;
		if (peek(l) == '}') {
			l->p++;
			return 0;
		}
		if (test(l, &first) < 0)
			return -1;
		if (peek(l) != ':') {
			val_clear(&first);
			return -1;      /* a set */
		}
		return dict_rest(l, &first, v->j);
	}
	if (ident_char(c) && !cls_dec(c)) {
		const char *s = l->p;
		size_t n;

		while (l->p < l->e && ident_char((unsigned char)*l->p))
			l->p++;
		n = (size_t)(l->p - s);
		v->kind = K_CONST;
		if (n == 4 && memcmp(s, "True", 4) == 0)
			v->j = json_true();
		else if (n == 5 && memcmp(s, "False", 5) == 0)
			v->j = json_false();
		else if (n == 4 && memcmp(s, "None", 4) == 0)
			v->j = json_null();
		else
			return -1;
		return 0;
	}
	return -1;
}

/* Python's tokenizer refuses 200 nested brackets; the limit also bounds
 * the recursion here. */
static int
atom(struct lit *l, struct val *v)
{
	int r;

	memset(v, 0, sizeof(*v));
	if (++l->depth >= 200)
		return -1;
	r = atom_inner(l, v);
	l->depth--;
	if (r < 0)
		val_clear(v);
	return r;
}

static int
is_number(const struct val *v)
{
	return v->kind == K_INT || v->kind == K_FLOAT || v->kind == K_COMPLEX;
}

/* An operand, with Python's one unary sign on number constants. */
static int
unary(struct lit *l, struct val *v)
{
	int c = peek(l);

	if (c == '+' || c == '-') {
		l->p++;
		if (peek(l) == '+' || peek(l) == '-')
			return -1;      /* "--1" is UnaryOp(UnaryOp(1)): rejected */
		if (atom(l, v) < 0)
			return -1;
		if (!is_number(v) || v->is_signed) {
			val_clear(v);
			return -1;      /* "-(-1)", "-True", "-'a'" */
		}
		v->is_signed = 1;
		if (c == '-') {
			if (v->kind == K_INT)
				v->neg = !v->neg;
			else
				v->d = -v->d;
		}
		return 0;
	}
	return atom(l, v);
}

/* A single expression: a literal, or number +/- imaginary (a complex, which
 * has no JSON form, so any binary +/- ends up rejected). */
static int
test(struct lit *l, struct val *v)
{
	int c;

	if (unary(l, v) < 0)
		return -1;
	c = peek(l);
	if (c == '+' || c == '-') {
		val_clear(v);
		return -1;
	}
	return 0;
}

/* The whole input: one expression, or a bare tuple "1, 2". */
static int
expr(struct lit *l, struct val *v)
{
	json_t *arr, *j;

	if (test(l, v) < 0)
		return -1;
	if (peek(l) != ',')
		return 0;
	arr = json_array();
	j = to_json(v);
	val_clear(v);
	v->kind = K_TUPLE;
	v->j = arr;
	if (arr == NULL || j == NULL || json_array_append_new(arr, j) < 0)
		return -1;
	l->p++;
	while (peek(l) >= 0) {
		struct val e;

		if (test(l, &e) < 0)
			return -1;
		j = to_json(&e);
		val_clear(&e);
		if (j == NULL || json_array_append_new(arr, j) < 0)
			return -1;
		if (peek(l) < 0)
			break;
		if (expect(l, ',') < 0)
			return -1;
	}
	return 0;
}

json_t *
py_literal_eval(const char *s, size_t len)
{
	struct lit l = { s, s + len, 0 };
	struct val v;
	json_t *j = NULL;

	/* literal_eval strips leading spaces and tabs; the tokenizer refuses NULs */
	if (memchr(s, '\0', len))
		return NULL;
	while (l.p < l.e && (*l.p == ' ' || *l.p == '\t'))
		l.p++;
	memset(&v, 0, sizeof(v));
	if (expr(&l, &v) == 0 && peek(&l) < 0)
		j = to_json(&v);
	val_clear(&v);
	return j;
}

/* ---- str() of a value ---- */

/* repr() of a str: single quotes unless the text holds ' and no ", the
 * usual escapes, control characters as \xNN. */
static int
str_repr(struct sbuf *b, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	char esc[8];

	if (sbuf_add(b, &q, 1) < 0)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e = NULL;

		if (c == '\\')
			e = "\\\\";
		else if (c == (unsigned char)q)
			e = q == '"' ? "\\\"" : "\\'";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\t')
			e = "\\t";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			e = esc;
		}
		if (e ? sbuf_add(b, e, strlen(e)) < 0 : sbuf_add(b, s, 1) < 0)
			return -1;
	}
	return sbuf_add(b, &q, 1);
}

static int
value_str(struct sbuf *b, const json_t *v, int top)
{
	char num[64];
	const char *key;
	json_t *item;
	size_t i;
	int first = 1;

	/* an AnsibleUnsafeText (`!unsafe`) is a str, whatever ansible-inventory
	 * prints for it */
	if (json_is_object(v) && json_object_size(v) == 1 &&
	    json_is_string(json_object_get(v, "__ansible_unsafe")))
		v = json_object_get(v, "__ansible_unsafe");
	switch (json_typeof(v)) {
	case JSON_STRING:
		return top ? sbuf_add(b, json_string_value(v), json_string_length(v)) : str_repr(b, json_string_value(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return sbuf_add(b, num, strlen(num));
	case JSON_REAL:
		float_repr(json_real_value(v), num, sizeof(num));
		return sbuf_add(b, num, strlen(num));
	case JSON_TRUE:
		return sbuf_add(b, "True", 4);
	case JSON_FALSE:
		return sbuf_add(b, "False", 5);
	case JSON_NULL:
		return sbuf_add(b, "None", 4);
	case JSON_ARRAY:
		if (sbuf_add(b, "[", 1) < 0)
			return -1;
		json_array_foreach(v, i, item) {
			if ((i && sbuf_add(b, ", ", 2) < 0) || value_str(b, item, 0) < 0)
				return -1;
		}
		return sbuf_add(b, "]", 1);
	case JSON_OBJECT:
		if (sbuf_add(b, "{", 1) < 0)
			return -1;
		json_object_foreach((json_t *)v, key, item) {
			if ((!first && sbuf_add(b, ", ", 2) < 0) || str_repr(b, key) < 0 || sbuf_add(b, ": ", 2) < 0 ||
			    value_str(b, item, 0) < 0)
				return -1;
			first = 0;
		}
		return sbuf_add(b, "}", 1);
	}
	return -1;
}

char *
py_str(const json_t *v)
{
	struct sbuf b = { 0 };

	if (sbuf_add(&b, "", 0) < 0 || value_str(&b, v, 1) < 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
