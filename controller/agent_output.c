#include "agent_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

void
agent_output_excerpt(char *out, size_t outlen, const char *s, size_t n)
{
	orch_escape(out, outlen, s, n, 60);
}

int
agent_message_decode(struct agent_message *out, json_t *obj, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(obj, "type"));
	const char *status = json_string_value(json_object_get(obj, "status"));
	char ex[128];

	*out = (struct agent_message){.line = obj};
	if (orch_message_parse(type, &out->type) != 0) {
		orch_escape(ex, sizeof(ex), type, strlen(type), 60);
		snprintf(err, errlen, "the agent sent a message of unknown type '%s'", ex);
		return -1;
	}
	if (out->type != ORCH_MSG_RESULT)
		return 0;
	out->name = json_string_value(json_object_get(obj, "name"));
	if (out->name == NULL) {
		snprintf(err, errlen, "the agent sent a result without a step name");
		return -1;
	}
	if (orch_status_parse(status, &out->status) != 0) {
		orch_escape(ex, sizeof(ex), status ? status : "", status ? strlen(status) : 0, 60);
		snprintf(err, errlen, "the agent sent a result with an unknown status '%s'", ex);
		return -1;
	}
	return 0;
}

static int
take_line(struct agent_output *r, const char *line, size_t n, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;
	struct agent_message m;
	char ex[128];

	if (n == 0)
		return 0;
	obj = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj) || !json_is_string(json_object_get(obj, "type"))) {
		agent_output_excerpt(ex, sizeof(ex), line, n);
		snprintf(err, errlen, "the agent sent a line that is not a protocol message: '%s'", ex);
		json_decref(obj);
		return -1;
	}
	if (agent_message_decode(&m, obj, err, errlen) != 0) {
		json_decref(obj);
		return -1;
	}
	/* Every message is kept for the report: a node that answers without
	 * end must not make orch hold it all. */
	if (r->messages == RUN_MAX_MESSAGES) {
		snprintf(err, errlen, "the agent sent more than %d messages", RUN_MAX_MESSAGES);
		json_decref(obj);
		return -1;
	}
	r->messages++;
	if (m.type == ORCH_MSG_ERROR) {
		const char *msg = json_string_value(json_object_get(obj, "msg"));

		/* never empty: an empty refusal would read as no refusal */
		snprintf(r->refused, sizeof(r->refused), "%s", msg && *msg ? msg : "(no message)");
	} else if (m.type == ORCH_MSG_SUMMARY) {
		r->summary = 1;
	}
	r->fn(r->ctx, &m);
	json_decref(obj);
	return 0;
}

/* A limit for a message: "16 MiB", "1024 KiB" or "100 bytes". */
static void
limit_text(char *out, size_t outlen, size_t n, size_t unit, const char *unit_name)
{
	if (n >= unit && n % unit == 0)
		snprintf(out, outlen, "%zu %s", n / unit, unit_name);
	else
		snprintf(out, outlen, "%zu bytes", n);
}

int
agent_output_feed(struct agent_output *r, const char *data, size_t n, char *err, size_t errlen)
{
	size_t max_line = r->max_line ? r->max_line : RUN_MAX_LINE;
	size_t max_total = r->max_total ? r->max_total : RUN_MAX_TOTAL;
	char limit[64];

	r->total += n;
	if (r->total > max_total) {
		limit_text(limit, sizeof(limit), max_total, 1024 * 1024, "MiB");
		snprintf(err, errlen, "the agent sent more than %s", limit);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			if (take_line(r, r->buf, r->len, err, errlen) != 0)
				return -1;
			r->len = 0;
			continue;
		}
		if (r->len + 1 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 8192;
			char *b;

			if (r->len + 1 > max_line) {
				limit_text(limit, sizeof(limit), max_line, 1024, "KiB");
				snprintf(err, errlen, "the agent sent a line longer than %s", limit);
				return -1;
			}
			if (cap > max_line)
				cap = max_line;
			if ((b = realloc(r->buf, cap)) == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			r->buf = b;
			r->cap = cap;
		}
		r->buf[r->len++] = data[i];
	}
	return 0;
}

int
agent_output_finish(struct agent_output *r, char *err, size_t errlen)
{
	if (r->len == 0)
		return 0;
	return agent_output_feed(r, "\n", 1, err, errlen);
}

void
agent_output_release(struct agent_output *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

json_t *
agent_lines_find(json_t *lines, const char *name)
{
	size_t k;
	json_t *line;

	json_array_foreach(lines, k, line) {
		const char *s = json_string_value(json_object_get(line, "name"));

		if (s != NULL && strcmp(s, name) == 0)
			return line;
	}
	return NULL;
}
