#include "agent_output.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
agent_output_excerpt(char *out, size_t outlen, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 60) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (isprint(c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o < outlen ? o : outlen - 1] = '\0';
}

static int
take_line(struct agent_output *r, const char *line, size_t n, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;
	const char *type;
	char ex[128];

	if (n == 0)
		return 0;
	obj = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
	type = json_string_value(json_object_get(obj, "type"));
	if (obj == NULL || !json_is_object(obj) || type == NULL) {
		agent_output_excerpt(ex, sizeof(ex), line, n);
		snprintf(err, errlen, "the agent sent a line that is not a protocol message: '%s'", ex);
		json_decref(obj);
		return -1;
	}
	if (strcmp(type, "error") != 0 && strcmp(type, "summary") != 0 && strcmp(type, "result") != 0) {
		snprintf(err, errlen, "the agent sent a message of unknown type '%s'", type);
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
	if (strcmp(type, "error") == 0) {
		const char *msg = json_string_value(json_object_get(obj, "msg"));

		/* never empty: an empty refusal would read as no refusal */
		snprintf(r->refused, sizeof(r->refused), "%s", msg && *msg ? msg : "(no message)");
	} else if (strcmp(type, "summary") == 0) {
		r->summary = 1;
	}
	r->fn(r->ctx, obj);
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
