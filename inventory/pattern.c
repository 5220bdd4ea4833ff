/*
 * Host patterns (`--limit`), after ansible-core's InventoryManager:
 * split_host_pattern, order_patterns, _evaluate_patterns, _match_one_pattern,
 * _enumerate_matches and the [x], [x:y] subscripts. One difference: a part
 * that matches no host and no group is an error here, where Ansible only
 * warns, so a typo in --limit cannot silently select nothing.
 */
#include <fnmatch.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_private.h"

__attribute__((format(printf, 3, 4))) static int
merr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
push_trimmed(struct strvec *out, const char *s, const char *e)
{
	py_strip(&s, &e);
	if (s == e)
		return 0;
	return strvec_pushn(out, s, (size_t)(e - s));
}

/* split_host_pattern(): commas if there are any; else the whole pattern if
 * it is a host address ("::1", "web:22"), else ':'-separated words with
 * [..] kept whole. */
static int
split_host_pattern(const char *pattern, struct strvec *out)
{
	const char *s = pattern, *e = pattern + strlen(pattern);
	char *host, *port;

	if (strchr(pattern, ',')) {
		for (;;) {
			const char *c = strchr(s, ',');

			if (push_trimmed(out, s, c ? c : e) < 0)
				return -1;
			if (c == NULL)
				return 0;
			s = c + 1;
		}
	}
	if (parse_address(pattern, &host, &port) == 0) {
		free(host);
		free(port);
		return push_trimmed(out, s, e);
	}
	/* re.findall(r'(?:[^\s:\[\]]|\[[^\]]*\])+') */
	while (s < e) {
		const char *start = s;

		for (;;) {
			size_t sp = py_space_len(s, e);

			if (s >= e || sp || *s == ':' || *s == ']')
				break;
			if (*s == '[') {
				const char *rb = memchr(s, ']', (size_t)(e - s));

				if (rb == NULL)
					break;
				s = rb + 1;
			} else {
				s++;
			}
		}
		if (s > start) {
			if (push_trimmed(out, start, s) < 0)
				return -1;
		} else {
			size_t sp = py_space_len(s, e);

			s += sp ? sp : 1;
		}
	}
	return 0;
}

struct matcher {
	int is_regex;
	regex_t re;
	const char *glob;
};

static int
matcher_init(struct matcher *m, const char *pattern, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (pattern[0] != '~') {
		m->glob = pattern;
		return 0;
	}
	{
		/* re.match() anchors at the start only */
		size_t n = strlen(pattern) + 8;
		char *anchored = malloc(n);
		int rc;

		if (anchored == NULL)
			return merr(err, errlen, "out of memory");
		snprintf(anchored, n, "^(%s)", pattern + 1);
		rc = regcomp(&m->re, anchored, REG_EXTENDED | REG_NOSUB);
		free(anchored);
		if (rc != 0)
			return merr(err, errlen, "invalid host list pattern '%s'", pattern);
		m->is_regex = 1;
	}
	return 0;
}

static int
matcher_match(const struct matcher *m, const char *name)
{
	if (m->is_regex)
		return regexec(&m->re, name, 0, NULL, 0) == 0;
	return fnmatch(m->glob, name, FNM_NOESCAPE) == 0;
}

static void
matcher_free(struct matcher *m)
{
	if (m->is_regex)
		regfree(&m->re);
}

struct hostlist {
	size_t *v, n, cap;
};

static int
hl_push(struct hostlist *hl, size_t h)
{
	if (hl->n == hl->cap) {
		size_t cap = hl->cap ? hl->cap * 2 : 16;
		size_t *v = realloc(hl->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		hl->v = v;
		hl->cap = cap;
	}
	hl->v[hl->n++] = h;
	return 0;
}

/* _enumerate_matches(): hosts of every group the pattern names, then (when
 * no group matched, or the pattern is a regex or a glob) the hosts it names. */
static int
enumerate_matches(const struct inventory *inv, const char *pattern, struct hostlist *out, char *err,
		  size_t errlen)
{
	struct matcher m;
	size_t matched_groups = 0;
	int r = -1;

	if (matcher_init(&m, pattern, err, errlen) < 0)
		return -1;
	for (size_t g = 0; g < inv->ngroups; g++) {
		size_t *hosts, n;

		if (!matcher_match(&m, inv->groups[g].name))
			continue;
		matched_groups++;
		if (inventory_group_hosts(inv, g, &hosts, &n) < 0) {
			merr(err, errlen, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			if (hl_push(out, hosts[i]) < 0) {
				free(hosts);
				merr(err, errlen, "out of memory");
				goto out;
			}
		}
		free(hosts);
	}
	if (matched_groups == 0 || pattern[0] == '~' || strpbrk(pattern, ".?*[")) {
		for (size_t h = 0; h < inv->nhosts; h++) {
			if (matcher_match(&m, inv->hosts[h].name) && hl_push(out, h) < 0) {
				merr(err, errlen, "out of memory");
				goto out;
			}
		}
	}
	if (out->n == 0 && matched_groups == 0 && strcmp(pattern, "all") != 0) {
		merr(err, errlen, "could not match supplied host pattern '%s'", pattern);
		goto out;
	}
	r = 0;
out:
	matcher_free(&m);
	return r;
}

static long long
subscript_int(const char *s)
{
	long long v;
	int overflow;

	if (py_int(s, &v, &overflow) == 0)
		return v;
	/* beyond any host count: out of range either way */
	return s[0] == '-' ? -(1LL << 60) : 1LL << 60;
}

/* PATTERN_WITH_SUBSCRIPT: ^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$
 * Sets *base_len to the pattern without the subscript; 0 when there is none. */
static int
split_subscript(const char *pattern, size_t *base_len, long long *start, long long *end, int *has_end)
{
	size_t len = strlen(pattern);
	const char *lb = strrchr(pattern, '['), *p, *q;

	if (pattern[0] == '~' || len < 4 || pattern[len - 1] != ']' || lb == NULL || lb == pattern)
		return 0;
	p = lb + 1;
	q = p + (*p == '-');
	while (*q >= '0' && *q <= '9')
		q++;
	if (q > p + (*p == '-') && q == pattern + len - 1) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.*s", (int)(q - p), p);
		*start = subscript_int(buf);
		*has_end = 0;
	} else {
		const char *d = p, *sep;
		char buf[32];

		while (*d >= '0' && *d <= '9')
			d++;
		if (d == p || (*d != ':' && *d != '-'))
			return 0;
		sep = d;
		for (d = sep + 1; *d >= '0' && *d <= '9'; d++)
			;
		if (d != pattern + len - 1)
			return 0;
		snprintf(buf, sizeof(buf), "%.*s", (int)(sep - p), p);
		*start = subscript_int(buf);
		if (d == sep + 1) {
			*end = -1;
		} else {
			snprintf(buf, sizeof(buf), "%.*s", (int)(d - sep - 1), sep + 1);
			*end = subscript_int(buf);
		}
		/* `if end:` -- a zero end is no end at all */
		*has_end = *end != 0;
	}
	*base_len = (size_t)(lb - pattern);
	return 1;
}

/* _match_one_pattern() without its leading & or ! */
static int
match_one(const struct inventory *inv, const char *pattern, struct hostlist *out, char *err, size_t errlen)
{
	size_t base_len;
	long long start = 0, end = 0;
	int has_end = 0, sub;
	char *base;
	struct hostlist all = { 0 };
	int r = -1;

	sub = split_subscript(pattern, &base_len, &start, &end, &has_end);
	if ((base = sub ? strndup(pattern, base_len) : strdup(pattern)) == NULL)
		return merr(err, errlen, "out of memory");
	if (enumerate_matches(inv, base, &all, err, errlen) < 0)
		goto out;
	if (!sub || all.n == 0) {
		*out = all;
		all.v = NULL;
	} else if (has_end) {
		long long n = (long long)all.n, lo = start, hi;

		if (end == -1)
			end = n - 1;
		hi = end + 1;
		if (lo > n)
			lo = n;
		if (hi > n)
			hi = n;
		for (long long i = lo; i < hi; i++) {
			if (hl_push(out, all.v[i]) < 0) {
				merr(err, errlen, "out of memory");
				goto out;
			}
		}
	} else {
		long long n = (long long)all.n, i = start < 0 ? start + n : start;

		if (i < 0 || i >= n) {
			merr(err, errlen, "no hosts matched the subscripted pattern '%s'", pattern);
			goto out;
		}
		if (hl_push(out, all.v[i]) < 0) {
			merr(err, errlen, "out of memory");
			goto out;
		}
	}
	r = 0;
out:
	free(all.v);
	free(base);
	return r;
}

int
inventory_match(const struct inventory *inv, const char *pattern, unsigned char *selected, char *err,
		size_t errlen)
{
	struct strvec parts = { 0 };
	const char **ordered = NULL;
	unsigned char *cur = calloc(inv->nhosts ? inv->nhosts : 1, 1);
	size_t n = 0;
	int r = -1;

	if (errlen)
		err[0] = '\0';
	if (cur == NULL || split_host_pattern(pattern, &parts) < 0 ||
	    (ordered = calloc(parts.n + 1, sizeof(*ordered))) == NULL) {
		merr(err, errlen, "out of memory");
		goto out;
	}
	/* order_patterns(): plain patterns, then &, then ! */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < parts.n; i++) {
			char c = parts.v[i][0];
			int kind = c == '&' ? 1 : c == '!' ? 2 : 0;

			if (kind == pass)
				ordered[n++] = parts.v[i];
		}
		if (pass == 0 && n == 0)
			ordered[n++] = "all";
	}
	for (size_t i = 0; i < n; i++) {
		const char *p = ordered[i];
		struct hostlist that = { 0 };
		size_t h = inventory_find_host(inv, p);
		unsigned char *mask;

		if (h != NOT_FOUND) {
			cur[h] = 1;
			continue;
		}
		if (match_one(inv, p[0] == '&' || p[0] == '!' ? p + 1 : p, &that, err, errlen) < 0)
			goto out;
		if ((mask = calloc(inv->nhosts ? inv->nhosts : 1, 1)) == NULL) {
			free(that.v);
			merr(err, errlen, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < that.n; k++)
			mask[that.v[k]] = 1;
		free(that.v);
		for (size_t k = 0; k < inv->nhosts; k++) {
			if (p[0] == '!')
				cur[k] &= !mask[k];
			else if (p[0] == '&')
				cur[k] &= mask[k];
			else
				cur[k] |= mask[k];
		}
		free(mask);
	}
	if (inv->nhosts)
		memcpy(selected, cur, inv->nhosts);
	r = 0;
out:
	free(cur);
	free(ordered);
	strvec_clear(&parts);
	return r;
}
