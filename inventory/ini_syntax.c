/*
 * The text rules ansible-core's ini inventory plugin inherits from Python:
 * str.strip()/splitlines() whitespace, shlex.split(comments=True), the
 * host[:port] grammar of ansible.parsing.utils.addresses and the host range
 * expansion of ansible.plugins.inventory. Each function follows the Python
 * code it is named after closely, quirks included, because an inventory must
 * mean here what it means to Ansible.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_private.h"

int
strvec_push(struct strvec *sv, char *s)
{
	if (s == NULL)
		return -1;
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (v == NULL) {
			free(s);
			return -1;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return 0;
}

int
strvec_pushn(struct strvec *sv, const char *s, size_t len)
{
	return strvec_push(sv, strndup(s, len));
}

void
strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static int
byte_at(const char *s, const char *end, size_t i)
{
	return s + i < end ? (unsigned char)s[i] : -1;
}

size_t
py_space_len(const char *s, const char *end)
{
	int c = byte_at(s, end, 0), c1, c2;

	if (c < 0)
		return 0;
	if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20))
		return 1;
	c1 = byte_at(s, end, 1);
	if (c == 0xc2 && (c1 == 0x85 || c1 == 0xa0))
		return 2;
	c2 = byte_at(s, end, 2);
	if (c == 0xe1 && c1 == 0x9a && c2 == 0x80)                     /* U+1680 */
		return 3;
	if (c == 0xe2 && c1 == 0x80 &&
	    ((c2 >= 0x80 && c2 <= 0x8a) || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf))
		return 3;
	if (c == 0xe2 && c1 == 0x81 && c2 == 0x9f)                     /* U+205F */
		return 3;
	if (c == 0xe3 && c1 == 0x80 && c2 == 0x80)                     /* U+3000 */
		return 3;
	return 0;
}

size_t
py_linebreak_len(const char *s, const char *end)
{
	int c = byte_at(s, end, 0), c1 = byte_at(s, end, 1), c2 = byte_at(s, end, 2);

	if (c == '\r')
		return c1 == '\n' ? 2 : 1;
	if (c == '\n' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e)
		return 1;
	if (c == 0xc2 && c1 == 0x85)
		return 2;
	if (c == 0xe2 && c1 == 0x80 && (c2 == 0xa8 || c2 == 0xa9))
		return 3;
	return 0;
}

static size_t
utf8_seq_len(const char *s, const char *end)
{
	int c = byte_at(s, end, 0);
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	while (n > 1 && s + n > end)
		n--;
	return n;
}

size_t
py_word_len(const char *s, const char *end)
{
	int c = byte_at(s, end, 0);

	if (c < 0)
		return 0;
	if (c < 0x80)
		return isalnum(c) || c == '_' ? 1 : 0;
	if (py_space_len(s, end))
		return 0;
	return utf8_seq_len(s, end);
}

void
py_strip(const char **s, const char **e)
{
	size_t n;

	while (*s < *e && (n = py_space_len(*s, *e)) != 0)
		*s += n;
	/* Whitespace characters are at most 3 bytes: try each length backwards. */
	for (;;) {
		size_t k;

		for (k = 1; k <= 3; k++) {
			if (*e - *s >= (ptrdiff_t)k && py_space_len(*e - k, *e) == k)
				break;
		}
		if (k > 3)
			break;
		*e -= k;
	}
}

int
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;

	while (s < end) {
		unsigned c = *s;
		size_t n;
		unsigned cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if ((size_t)(end - s) < n)
			return 0;
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n;
	}
	return 1;
}

/* ---- shlex ---- */

struct buf {
	char *p;
	size_t n, cap;
};

static int
buf_add(struct buf *b, char c)
{
	if (b->n + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *p = realloc(b->p, cap);

		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = c;
	b->p[b->n] = '\0';
	return 0;
}

enum shlex_state { SH_SPACE, SH_WORD, SH_SQUOTE, SH_DQUOTE, SH_ESCAPE, SH_EOF };

int
py_shlex_split(const char *s, size_t len, struct strvec *out, const char **why)
{
	const char *p = s, *end = s + len;
	enum shlex_state state = SH_SPACE;
	struct buf tok = { 0 };
	int r = -1;

	*why = "out of memory";
	while (state != SH_EOF) {
		enum shlex_state escaped = SH_SPACE;
		int quoted = 0;

		tok.n = 0;
		for (;;) {
			int c = p < end ? (unsigned char)*p++ : -1;
			int ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';

			if (state == SH_SPACE) {
				if (c < 0) {
					state = SH_EOF;
					break;
				} else if (ws) {
					if (tok.n || quoted)
						break;
				} else if (c == '#') {
					p = end;
				} else if (c == '\\') {
					escaped = SH_WORD;
					state = SH_ESCAPE;
				} else if (c == '\'' || c == '"') {
					state = c == '\'' ? SH_SQUOTE : SH_DQUOTE;
				} else {
					if (buf_add(&tok, (char)c) < 0)
						goto out;
					state = SH_WORD;
				}
			} else if (state == SH_SQUOTE || state == SH_DQUOTE) {
				quoted = 1;
				if (c < 0) {
					*why = "No closing quotation";
					goto out;
				}
				if (c == (state == SH_SQUOTE ? '\'' : '"')) {
					state = SH_WORD;
				} else if (state == SH_DQUOTE && c == '\\') {
					escaped = state;
					state = SH_ESCAPE;
				} else if (buf_add(&tok, (char)c) < 0) {
					goto out;
				}
			} else if (state == SH_ESCAPE) {
				if (c < 0) {
					*why = "No escaped character";
					goto out;
				}
				/* Inside quotes only the quote and the backslash are escaped. */
				if (escaped == SH_DQUOTE && c != '\\' && c != '"' && buf_add(&tok, '\\') < 0)
					goto out;
				if (buf_add(&tok, (char)c) < 0)
					goto out;
				state = escaped;
			} else { /* SH_WORD */
				if (c < 0) {
					state = SH_EOF;
					break;
				} else if (ws) {
					state = SH_SPACE;
					if (tok.n || quoted)
						break;
				} else if (c == '#') {
					p = end;
					state = SH_SPACE;
					if (tok.n || quoted)
						break;
				} else if (c == '\'' || c == '"') {
					state = c == '\'' ? SH_SQUOTE : SH_DQUOTE;
				} else if (c == '\\') {
					escaped = SH_WORD;
					state = SH_ESCAPE;
				} else if (buf_add(&tok, (char)c) < 0) {
					goto out;
				}
			}
		}
		if (tok.n == 0 && !quoted)
			break;
		if (strvec_pushn(out, tok.n ? tok.p : "", tok.n) < 0)
			goto out;
	}
	r = 0;
out:
	free(tok.p);
	return r;
}

/* ---- host addresses (ansible/parsing/utils/addresses.py) ---- */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return c >= 0 && c < 0x80 && isxdigit(c);
}

static size_t
run_len(const char *p, const char *e, int (*cls)(int))
{
	size_t n = 0;

	while (p + n < e && cls((unsigned char)p[n]))
		n++;
	return n;
}

/* `\[ X+ : X+ (: [0-9]+)? \]` where X is the class of the bounds. */
static size_t
bounded_range_len(const char *p, const char *e, int (*cls)(int))
{
	const char *q = p;
	size_t n;

	if (q >= e || *q != '[')
		return 0;
	q++;
	if ((n = run_len(q, e, cls)) == 0)
		return 0;
	q += n;
	if (q >= e || *q != ':')
		return 0;
	q++;
	if ((n = run_len(q, e, cls)) == 0)
		return 0;
	q += n;
	if (q < e && *q == ':') {
		if ((n = run_len(q + 1, e, is_digit)) == 0)
			return 0;
		q += 1 + n;
	}
	if (q >= e || *q != ']')
		return 0;
	return (size_t)(q + 1 - p);
}

static int
is_alpha_ascii(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* alphanumeric_range: [a:z], [0:9], with an optional :step (re.I). */
static size_t
alnum_range_len(const char *p, const char *e)
{
	size_t n = bounded_range_len(p, e, is_digit);

	if (n)
		return n;
	if (e - p >= 5 && p[0] == '[' && is_alpha_ascii((unsigned char)p[1]) && p[2] == ':' &&
	    is_alpha_ascii((unsigned char)p[3])) {
		const char *q = p + 4;

		if (q < e && *q == ':') {
			size_t d = run_len(q + 1, e, is_digit);

			if (d == 0)
				return 0;
			q += 1 + d;
		}
		if (q < e && *q == ']')
			return (size_t)(q + 1 - p);
	}
	return 0;
}

/* The 'hostname' pattern: labels of \w, '-' and ranges, joined by dots; a
 * label starts with \w or a range and does not end in '_' or '-'. */
static int
match_hostname(const char *s, const char *e)
{
	const char *p = s;

	for (;;) {
		const char *label = p;
		int last = 0;

		while (p < e && *p != '.') {
			size_t n;

			if (*p == '[' && (n = alnum_range_len(p, e)) != 0) {
				p += n;
				last = ']';
			} else if (*p == '-' && p != label) {
				p++;
				last = '-';
			} else if ((n = py_word_len(p, e)) != 0) {
				last = *p;
				p += n;
			} else {
				return 0;
			}
		}
		if (p == label || last == '_' || last == '-')
			return 0;
		if (p == e)
			return 1;
		p++; /* the dot */
	}
}

static int
match_ipv4_part(const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n && *s == '[')
		return bounded_range_len(s, e, is_digit) == n;
	if (n == 0 || n > 3 || run_len(s, e, is_digit) != n)
		return 0;
	if (n < 3)
		return 1;
	return s[0] == '0' || s[0] == '1' || (s[0] == '2' && s[1] <= '4') ||
	       (s[0] == '2' && s[1] == '5' && s[2] <= '5');
}

static int
match_ipv4(const char *s, const char *e)
{
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		const char *q = p;

		while (q < e && *q != '.')
			q++;
		if ((i < 3) != (q < e))
			return 0;
		if (!match_ipv4_part(p, q))
			return 0;
		p = q + 1;
	}
	return 1;
}

/* An IPv6 component (hex{1,4} or a hex range) followed by the character CH;
 * the position after CH, or NULL. */
static const char *
v6_then(const char *p, const char *e, char ch)
{
	size_t n = bounded_range_len(p, e, is_hex);

	if (n == 0) {
		n = run_len(p, e, is_hex);
		if (n < 1 || n > 4)
			return NULL;
	}
	p += n;
	return p < e && *p == ch ? p + 1 : NULL;
}

static int
v6_starts(const char *p, const char *e)
{
	return (p < e && is_hex((unsigned char)*p)) || bounded_range_len(p, e, is_hex) != 0;
}

static int
v6_is(const char *p, const char *e)
{
	size_t n = bounded_range_len(p, e, is_hex);

	if (n == 0) {
		n = run_len(p, e, is_hex);
		if (n > 4)
			return 0;
	}
	return n != 0 && p + n == e;
}

static const char *
literal_ci(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(e - p) < n || strncasecmp(p, lit, n) != 0)
		return NULL;
	return p + n;
}

/*
 * The 'ipv6' pattern. Its `^` and `$` bind to the first and last alternative
 * only, so every alternative but the last matches a prefix; the prefix forms
 * reduce to the checks below.
 */
static int
match_ipv6(const char *s, const char *e)
{
	const char *p = s;
	int i;

	for (i = 0; i < 7 && p; i++)
		p = v6_then(p, e, ':');
	if (p && v6_starts(p, e))
		return 1;                               /* (C:){7}C */
	p = s;
	for (i = 1; i <= 6; i++) {
		if ((p = v6_then(p, e, ':')) == NULL)
			break;
		if (p < e && *p == ':')
			return 1;                       /* (C:){1,6}: and all a::b forms */
	}
	if (literal_ci(s, e, "::"))
		return 1;                               /* ::, ::C, ::(ffff:)?ipv4 */
	p = s;
	for (i = 0; i < 6 && p; i++)
		p = literal_ci(p, e, "0:");
	for (i = 0; i < 3 && p; i++)
		p = v6_then(p, e, '.');
	if (p && v6_starts(p, e))
		return 1;                               /* (0:){6}(C\.){3}C */
	p = s;
	for (i = 0; i < 5 && p; i++)
		p = literal_ci(p, e, "0:");
	if (p)
		p = literal_ci(p, e, "ffff:");
	for (i = 0; i < 3 && p; i++)
		p = v6_then(p, e, '.');
	return p && v6_is(p, e);                        /* (0:){5}ffff:(C\.){3}C$ */
}

/* 'hostport': ((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$ -- the split is at the
 * last colon, since the port holds none. */
static const char *
match_hostport(const char *s, const char *e)
{
	const char *colon = NULL, *p;

	for (p = e; p > s; p--) {
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	}
	if (colon == NULL || colon + 1 == e || run_len(colon + 1, e, is_digit) != (size_t)(e - colon - 1))
		return NULL;
	for (p = s; p < colon;) {
		if (*p == '[') {
			const char *q = memchr(p + 1, ']', (size_t)(e - p - 1));

			if (q == NULL)
				return NULL;
			p = q + 1;
		} else if (*p == ':' || *p == ']') {
			return NULL;
		} else {
			p++;
		}
	}
	return p == colon ? colon : NULL;
}

static char *
port_string(const char *digits, const char *e)
{
	while (digits + 1 < e && *digits == '0')
		digits++;
	return strndup(digits, (size_t)(e - digits));
}

int
parse_address(const char *str, char **host, char **port)
{
	const char *s = str, *e = str + strlen(str), *colon;
	char *portstr = NULL;

	*host = NULL;
	*port = NULL;
	/* bracketed_hostport: ^\[(.+)\]:([0-9]+)$ */
	if (*s == '[') {
		const char *rb = NULL;

		for (const char *p = e; p > s + 1; p--) {
			if (p[-1] == ']') {
				rb = p - 1;
				break;
			}
		}
		if (rb && rb > s + 1 && rb + 2 < e && rb[1] == ':' &&
		    run_len(rb + 2, e, is_digit) == (size_t)(e - rb - 2)) {
			if ((portstr = port_string(rb + 2, e)) == NULL)
				return -1;
			s++;
			e = rb;
		}
	}
	if ((colon = match_hostport(s, e)) != NULL) {
		free(portstr);
		if ((portstr = port_string(colon + 1, e)) == NULL)
			return -1;
		e = colon;
	}
	if (!match_ipv4(s, e) && !match_ipv6(s, e) && !match_hostname(s, e)) {
		free(portstr);
		return -1;
	}
	if ((*host = strndup(s, (size_t)(e - s))) == NULL) {
		free(portstr);
		return -1;
	}
	*port = portstr;
	return 0;
}

/* ---- host ranges (ansible/plugins/inventory/__init__.py) ---- */

int
py_int(const char *str, long long *out, int *overflow)
{
	const char *s = str, *e = str + strlen(str);
	int neg = 0;
	unsigned long long v = 0;
	int digits = 0;

	*overflow = 0;
	py_strip(&s, &e);
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	for (; s < e; s++) {
		if (*s == '_' && digits && s + 1 < e && is_digit((unsigned char)s[1]))
			continue;
		if (!is_digit((unsigned char)*s))
			return -1;
		if (v > (ULLONG_MAX - 9) / 10)
			*overflow = 1;
		v = v * 10 + (unsigned)(*s - '0');
		digits++;
	}
	if (!digits)
		return -1;
	if (*overflow || v > (unsigned long long)LLONG_MAX + (neg ? 1 : 0)) {
		*overflow = 1;
		return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

static size_t
codepoints(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

__attribute__((format(printf, 3, 4))) static int
range_error(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
int_or_error(const char *s, long long *v, char *why, size_t whylen)
{
	int overflow;

	if (py_int(s, v, &overflow) == 0)
		return 0;
	if (overflow)
		return range_error(why, whylen, "bound '%s' is too large", s);
	return range_error(why, whylen, "invalid literal for int() with base 10: '%s'", s);
}

static const char ascii_letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int expand_hostname_range(const char *line, struct strvec *out, size_t *budget, char *why,
				 size_t whylen);

static int
emit_name(const char *head, const char *mid, const char *tail, struct strvec *out, size_t *budget,
	  char *why, size_t whylen)
{
	char *name;

	if (asprintf(&name, "%s%s%s", head, mid, tail) < 0)
		return range_error(why, whylen, "out of memory");
	if (strchr(name, '[')) {
		int r = expand_hostname_range(name, out, budget, why, whylen);

		free(name);
		return r;
	}
	if (*budget == 0) {
		free(name);
		return range_error(why, whylen, "host range expands to more than %d hosts",
				   INVENTORY_MAX_EXPANSION);
	}
	(*budget)--;
	if (strvec_push(out, name) < 0)
		return range_error(why, whylen, "out of memory");
	return 0;
}

/* str(x).zfill(width), malloc'd */
static char *
zfill(long long x, size_t width)
{
	char digits[32], *s;
	int neg = x < 0;
	size_t n, pad;

	snprintf(digits, sizeof(digits), "%llu", neg ? 0ULL - (unsigned long long)x : (unsigned long long)x);
	n = strlen(digits) + (size_t)neg;
	pad = width > n ? width - n : 0;
	if ((s = malloc(n + pad + 1)) == NULL)
		return NULL;
	if (neg)
		s[0] = '-';
	memset(s + neg, '0', pad);
	memcpy(s + neg + pad, digits, strlen(digits) + 1);
	return s;
}

static int
expand_hostname_range(const char *line, struct strvec *out, size_t *budget, char *why, size_t whylen)
{
	char *buf = strdup(line), *p, *head, *nrange, *tail, *bounds[3], *beg, *end, *step;
	size_t parts = 1, nbounds = 1, rlen = 0;
	int r = -1;

	if (buf == NULL)
		return range_error(why, whylen, "out of memory");
	/* line.replace('[', '|', 1).replace(']', '|', 1).split('|') */
	if ((p = strchr(buf, '[')) != NULL)
		*p = '|';
	if ((p = strchr(buf, ']')) != NULL)
		*p = '|';
	for (p = buf; *p; p++)
		parts += *p == '|';
	if (parts > 3) {
		range_error(why, whylen, "too many values to unpack (expected 3)");
		goto out;
	}
	if (parts < 3) {
		range_error(why, whylen, "not enough values to unpack (expected 3, got %zu)", parts);
		goto out;
	}
	head = buf;
	nrange = strchr(head, '|');
	*nrange++ = '\0';
	tail = strchr(nrange, '|');
	*tail++ = '\0';

	bounds[0] = nrange;
	for (p = nrange; *p; p++) {
		if (*p == ':') {
			*p = '\0';
			if (nbounds < 3)
				bounds[nbounds] = p + 1;
			nbounds++;
		}
	}
	if (nbounds != 2 && nbounds != 3) {
		range_error(why, whylen, "host range must be begin:end or begin:end:step");
		goto out;
	}
	beg = *bounds[0] ? bounds[0] : "0";
	end = bounds[1];
	step = nbounds == 3 ? bounds[2] : NULL;
	if (!*end) {
		range_error(why, whylen, "host range must specify end value");
		goto out;
	}
	if (beg[0] == '0' && codepoints(beg) > 1) {
		rlen = codepoints(beg);
		if (rlen != codepoints(end)) {
			range_error(why, whylen, "host range must specify equal-length begin and end formats");
			goto out;
		}
	}

	{
		/* string.ascii_letters.index() finds substrings, not just letters. */
		const char *lb = strstr(ascii_letters, beg), *le = strstr(ascii_letters, end);
		long long st = 1;
		int overflow = 0, letters = lb && le;

		if (letters) {
			if (lb > le) {
				range_error(why, whylen, "host range must have begin <= end");
				goto out;
			}
			if (step && py_int(step, &st, &overflow) < 0)
				letters = 0;            /* ValueError: falls back to numbers */
			else if (st == 0)
				letters = 0;            /* slice step cannot be zero */
		}
		if (letters) {
			long long i = lb - ascii_letters, stop = le - ascii_letters + 1;

			for (; st > 0 && i < stop; i += st) {
				char mid[2] = { ascii_letters[i], '\0' };
				size_t before = *budget;

				if (emit_name(head, mid, tail, out, budget, why, whylen) < 0)
					goto out;
				/* A value holds no bracket, so every value meets the same
				 * ranges after it: when the first yields no host, none
				 * will. Without this, an empty range at the end made the
				 * product of the ranges before it cost time but no budget. */
				if (*budget == before)
					break;
			}
		} else {
			long long b, e;
			__int128 count = 0;

			if (int_or_error(beg, &b, why, whylen) < 0 || int_or_error(end, &e, why, whylen) < 0)
				goto out;
			st = 1;
			if (step && int_or_error(step, &st, why, whylen) < 0)
				goto out;
			if (st == 0) {
				range_error(why, whylen, "range() arg 3 must not be zero");
				goto out;
			}
			/* range(b, e + 1, st) */
			if (st > 0 && (__int128)e + 1 > b)
				count = ((__int128)e + 1 - b + st - 1) / st;
			else if (st < 0 && (__int128)e + 1 < b)
				count = ((__int128)b - ((__int128)e + 1) + (-(__int128)st) - 1) / -(__int128)st;
			if (count > (__int128)*budget) {
				range_error(why, whylen, "host range expands to more than %d hosts",
					    INVENTORY_MAX_EXPANSION);
				goto out;
			}
			for (__int128 k = 0; k < count; k++) {
				long long x = (long long)(b + k * st);
				char *mid = zfill(x, rlen);
				int rr;

				if (mid == NULL) {
					range_error(why, whylen, "out of memory");
					goto out;
				}
				size_t before = *budget;

				rr = emit_name(head, mid, tail, out, budget, why, whylen);
				free(mid);
				if (rr < 0)
					goto out;
				if (*budget == before)
					break;          /* as for letters */
			}
		}
	}
	r = 0;
out:
	free(buf);
	return r;
}

int
expand_hostpattern(const char *pattern, struct strvec *names, char **port, char *why, size_t whylen)
{
	char *host = NULL;
	const char *pat = pattern;
	size_t budget = INVENTORY_MAX_EXPANSION;
	int r = -1;

	*port = NULL;
	if (parse_address(pattern, &host, port) == 0)
		pat = host;
	if (strchr(pat, '[')) {
		char sub[512];

		if (expand_hostname_range(pat, names, &budget, sub, sizeof(sub)) < 0) {
			range_error(why, whylen, "invalid host range in '%s': %s", pattern, sub);
			goto out;
		}
	} else if (strvec_pushn(names, pat, strlen(pat)) < 0) {
		range_error(why, whylen, "out of memory");
		goto out;
	}
	r = 0;
out:
	if (r < 0) {
		free(*port);
		*port = NULL;
	}
	free(host);
	return r;
}

int
ini_expand_hostpattern(const char *pattern, struct strvec *names, char **port, char *why, size_t whylen)
{
	const char *s, *e;

	if (expand_hostpattern(pattern, names, port, why, whylen) < 0)
		return -1;
	s = pattern;
	e = pattern + strlen(pattern);
	py_strip(&s, &e);
	if (s < e && e[-1] == ':' && *port == NULL) {
		range_error(why, whylen,
			    "invalid host pattern '%s': ending in ':' is not allowed, this character is reserved to provide a port",
			    pattern);
		return -1;
	}
	for (size_t i = 0; i < names->n; i++) {
		s = names->v[i];
		e = s + strlen(s);
		py_strip(&s, &e);
		if (e - s == 3 && memcmp(s, "---", 3) == 0) {
			free(*port);
			*port = NULL;
			range_error(why, whylen,
				    "invalid host pattern '%s': '---' is normally a sign this is a YAML file",
				    pattern);
			return -1;
		}
	}
	return 0;
}
