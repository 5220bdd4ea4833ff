#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "diff.h"

char *node_path(const struct agent *ag, const char *path)
{
	return xasprintf("%s%s", ag->root, path);
}

char *node_pathf(const struct agent *ag, const char *fmt, ...)
{
	va_list ap;
	char *rel, *full;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = node_path(ag, rel);
	free(rel);
	return full;
}

void result_init(struct result *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->status = ORCH_OK;
	sb_init(&r->msg);
}

void result_release(struct result *r)
{
	sb_release(&r->msg);
	json_decref(r->diff);
	json_decref(r->commands);
	json_decref(r->facts);
}

void result_set(struct result *r, enum orch_status st)
{
	static const int rank[] = { [ORCH_OK] = 1, [ORCH_SKIPPED] = 0, [ORCH_CHANGED] = 2, [ORCH_FAILED] = 3 };
	if (rank[st] > rank[r->status])
		r->status = st;
}

static void __attribute__((format(printf, 2, 0))) vmsg(struct result *r, const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	if (r->msg.len)
		sb_adds(&r->msg, "; ");
	sb_adds(&r->msg, s);
	free(s);
}

void result_msg(struct result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(r, fmt, ap);
	va_end(ap);
}

int result_fail(struct result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(r, fmt, ap);
	va_end(ap);
	r->status = ORCH_FAILED;
	return -1;
}

json_t *strv_json(const struct strv *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

void result_add_diff(struct result *r, const char *path, const char *before, const char *after)
{
	char *u = unified_diff(path, before, after);
	json_t *d = json_pack("{s:s, s:s?, s:s?, s:s}", "path", path, "before", before, "after", after,
	                      "unified", u);

	free(u);
	if (!r->diff)
		r->diff = json_array();
	json_array_append_new(r->diff, d);
}
