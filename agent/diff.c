#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct lines {
	const char **p;   /* start of each line */
	size_t *n;        /* its length, newline included */
	size_t count;
};

static void split(struct lines *l, const char *s)
{
	size_t cap = 16;

	l->count = 0;
	l->p = xmalloc(cap * sizeof(*l->p));
	l->n = xmalloc(cap * sizeof(*l->n));
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
		if (l->count == cap) {
			cap *= 2;
			l->p = xrealloc(l->p, cap * sizeof(*l->p));
			l->n = xrealloc(l->n, cap * sizeof(*l->n));
		}
		l->p[l->count] = s;
		l->n[l->count++] = len;
		s += len;
	}
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->n[i] == b->n[j] && memcmp(a->p[i], b->p[j], a->n[i]) == 0;
}

static void emit_line(struct sb *out, char tag, const char *p, size_t n)
{
	sb_add(out, &tag, 1);
	sb_add(out, p, n);
	if (n == 0 || p[n - 1] != '\n')
		sb_adds(out, "\n\\ No newline at end of file\n");
}

/* Edit script from an LCS table; files the agent edits are small, so the
 * quadratic table is fine, and beyond a size the diff is one whole hunk. */
enum op { OP_EQ, OP_DEL, OP_ADD };

char *unified_diff(const char *path, const char *a, const char *b)
{
	struct lines la, lb;
	struct sb out;
	enum op *ops = NULL;
	size_t nops = 0, *ai = NULL, *bi = NULL;

	sb_init(&out);
	if ((a ? a : "")[0] == '\0' && (b ? b : "")[0] == '\0' && !a == !b)
		return sb_detach(&out);
	if (a && b && strcmp(a, b) == 0)
		return sb_detach(&out);
	split(&la, a);
	split(&lb, b);

	size_t n = la.count, m = lb.count;
	ops = xmalloc((n + m + 1) * sizeof(*ops));
	ai = xmalloc((n + m + 1) * sizeof(*ai));
	bi = xmalloc((n + m + 1) * sizeof(*bi));
	if ((n + 1) * (m + 1) <= 4u << 20) {
		unsigned *t = xcalloc((n + 1) * (m + 1), sizeof(*t));
#define T(i, j) t[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				T(i, j) = line_eq(&la, i, &lb, j) ? T(i + 1, j + 1) + 1
				          : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&la, i, &lb, j)) {
				ops[nops] = OP_EQ; ai[nops] = i++; bi[nops++] = j++;
			} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
				/* deletions first, as diff -u prints them */
				ops[nops] = OP_DEL; ai[nops] = i++; bi[nops++] = j;
			} else {
				ops[nops] = OP_ADD; ai[nops] = i; bi[nops++] = j++;
			}
		}
#undef T
		free(t);
	} else {
		for (size_t i = 0; i < n; i++) {
			ops[nops] = OP_DEL; ai[nops] = i; bi[nops++] = 0;
		}
		for (size_t j = 0; j < m; j++) {
			ops[nops] = OP_ADD; ai[nops] = n; bi[nops++] = j;
		}
	}

	sb_addf(&out, "--- %s\n+++ %s\n", a ? path : "/dev/null", b ? path : "/dev/null");
	const size_t ctx = 3;
	size_t k = 0;
	while (k < nops) {
		while (k < nops && ops[k] == OP_EQ)
			k++;
		if (k == nops)
			break;
		size_t start = k > ctx ? k - ctx : 0, end = k;
		/* one hunk while the changes are at most 2*ctx equal lines apart */
		for (;;) {
			while (end < nops && ops[end] != OP_EQ)
				end++;
			size_t eq = end;
			while (eq < nops && ops[eq] == OP_EQ)
				eq++;
			if (eq < nops && eq - end <= 2 * ctx) {
				end = eq;
				continue;
			}
			end = eq - end > ctx ? end + ctx : eq;
			break;
		}
		size_t a0 = ai[start], b0 = bi[start], ac = 0, bc = 0;
		for (size_t x = start; x < end; x++) {
			if (ops[x] != OP_ADD)
				ac++;
			if (ops[x] != OP_DEL)
				bc++;
		}
		sb_addf(&out, "@@ -%zu,%zu +%zu,%zu @@\n", ac ? a0 + 1 : a0, ac, bc ? b0 + 1 : b0, bc);
		for (size_t x = start; x < end; x++) {
			if (ops[x] == OP_EQ)
				emit_line(&out, ' ', la.p[ai[x]], la.n[ai[x]]);
			else if (ops[x] == OP_DEL)
				emit_line(&out, '-', la.p[ai[x]], la.n[ai[x]]);
			else
				emit_line(&out, '+', lb.p[bi[x]], lb.n[bi[x]]);
		}
		k = end;
	}
	free(ops);
	free(ai);
	free(bi);
	free(la.p);
	free(la.n);
	free(lb.p);
	free(lb.n);
	return sb_detach(&out);
}
