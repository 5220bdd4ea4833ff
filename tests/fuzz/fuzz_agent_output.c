/* The controller's reader of agent output: whatever bytes a node sends, in
 * whatever chunks the channel delivers them, the reader hands on exactly the
 * lines that are protocol messages, in order, holds no more than its line
 * limit, and stops with a message at the first line it refuses.
 *
 * Input: five header bytes, then the stream.
 *   [0], [1]  chunk sizes, alternating (both 0: one chunk; 255: the rest);
 *   [2]       line limit in units of 8 bytes (0: the real RUN_MAX_LINE);
 *   [3]       total limit in units of 64 bytes (0: the real RUN_MAX_TOTAL);
 *   [4]       size of the buffer agent_output_excerpt() writes (1 to 256).
 * A model splits the whole stream on '\n' and says for each line what the
 * reader must do with it; the reader's callback is checked against it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_agent_output: %s:%d: '%s' does not hold\n", \
				__FILE__, __LINE__, #cond);                                \
			abort();                                                           \
		}                                                                          \
	} while (0)

struct model {
	const char *stream;
	size_t size;
	size_t pos;          /* start of the next line the reader has not handed on */
	size_t max_line;
	size_t lines;        /* lines handed on */
	int summary, error;  /* a summary, an error line was handed on */
};

/* The next non-empty line at or after m->pos: its start and length; returns 0
 * when there is none (an unfinished last line counts: finish() takes it). */
static int
next_line(const struct model *m, size_t *start, size_t *len)
{
	size_t p = m->pos;

	while (p < m->size) {
		const char *nl = memchr(m->stream + p, '\n', m->size - p);
		size_t n = nl ? (size_t)(nl - (m->stream + p)) : m->size - p;

		if (n > 0) {
			*start = p;
			*len = n;
			return 1;
		}
		p++;
	}
	return 0;
}

/* What the reader must make of a line: the object it hands on, or NULL when
 * the line is not a protocol message. */
static json_t *
expected(const char *line, size_t n)
{
	json_error_t jerr;
	json_t *obj = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
	const char *type = json_string_value(json_object_get(obj, "type"));

	const char *status = json_string_value(json_object_get(obj, "status"));

	if (obj != NULL && json_is_object(obj) && type != NULL &&
	    (strcmp(type, "summary") == 0 || strcmp(type, "error") == 0))
		return obj;
	/* a result names its step and has one of the four statuses */
	if (obj != NULL && json_is_object(obj) && type != NULL && strcmp(type, "result") == 0 &&
	    json_is_string(json_object_get(obj, "name")) && status != NULL &&
	    (strcmp(status, "ok") == 0 || strcmp(status, "changed") == 0 || strcmp(status, "failed") == 0 ||
	     strcmp(status, "skipped") == 0))
		return obj;
	json_decref(obj);
	return NULL;
}

static void
on_line(void *ctx, const struct agent_message *msg)
{
	struct model *m = ctx;
	size_t start, n;
	json_t *want, *line = msg->line;
	const char *type = json_string_value(json_object_get(line, "type"));

	/* what the controller relies on: an object with a known "type", and
	 * for a result its step and status, decoded */
	check(json_is_object(line));
	check(type != NULL);
	check(strcmp(type, orch_message_name(msg->type)) == 0);
	if (msg->type == ORCH_MSG_RESULT) {
		check(msg->name != NULL && strcmp(msg->name, json_string_value(json_object_get(line, "name"))) == 0);
		check(strcmp(orch_status_name(msg->status), json_string_value(json_object_get(line, "status"))) == 0);
	}
	check(next_line(m, &start, &n));
	check(n <= m->max_line);
	want = expected(m->stream + start, n);
	check(want != NULL);
	check(json_equal(want, line));
	json_decref(want);
	m->summary |= strcmp(type, "summary") == 0;
	m->error |= strcmp(type, "error") == 0;
	m->lines++;
	m->pos = start + n + 1;
}

/* The reader refused the stream with err: the model must agree that the next
 * line (or the byte count) is at fault. */
static void
check_refusal(const struct model *m, const char *err, size_t fed, size_t max_total)
{
	size_t start, n;
	char too_many[64];

	check(err[0] != '\0');
	/* the whole message: a line's excerpt in another one may say "messages" */
	snprintf(too_many, sizeof(too_many), "the agent sent more than %d messages", RUN_MAX_MESSAGES);
	if (strcmp(err, too_many) == 0) {
		json_t *want;

		check(m->lines == RUN_MAX_MESSAGES);
		check(next_line(m, &start, &n) && n <= m->max_line);
		want = expected(m->stream + start, n);
		check(want != NULL);
		json_decref(want);
		return;
	}
	if (strncmp(err, "the agent sent more than ", 25) == 0) {
		check(fed > max_total);
		return;
	}
	check(next_line(m, &start, &n));
	if (strncmp(err, "the agent sent a line longer than ", 34) == 0) {
		check(n > m->max_line);
		return;
	}
	check(strncmp(err, "the agent sent a line that is not a protocol message: '", 55) == 0 ||
	      strncmp(err, "the agent sent a message of unknown type '", 42) == 0 ||
	      strcmp(err, "the agent sent a result without a step name") == 0 ||
	      strncmp(err, "the agent sent a result with an unknown status '", 48) == 0);
	check(n <= m->max_line);
	check(expected(m->stream + start, n) == NULL);
}

/* Text fit for a terminal (escape.h): UTF-8 without control characters
 * (tab aside), C1 controls included. */
static void
check_shown(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;

		check(*p == '\t' || (*p >= 0x20 && *p != 0x7f));
		check(*p < 0x80 || *p >= 0xc2);
		for (size_t i = 1; i < len; i++)
			check((p[i] & 0xc0) == 0x80);
		check(!(p[0] == 0xc2 && p[1] < 0xa0));
		p += len;
	}
}

static void
check_excerpt(const char *s, size_t n, size_t outlen)
{
	char out[256];

	memset(out, 'X', sizeof(out));
	agent_output_excerpt(out, outlen, s, n);
	check(memchr(out, '\0', outlen) != NULL);
	for (size_t i = outlen; i < sizeof(out); i++)
		check(out[i] == 'X');
	check_shown(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m = {0};
	struct agent_output r = {.fn = on_line, .ctx = &m};
	size_t chunk[2], max_total, fed = 0;
	char err[512] = "";
	int rc = 0;

	if (size < 5)
		return 0;
	chunk[0] = data[0];
	chunk[1] = data[1];
	r.max_line = data[2] * 8u;
	r.max_total = data[3] * 64u;
	m.stream = (const char *)data + 5;
	m.size = size - 5;
	m.max_line = r.max_line ? r.max_line : RUN_MAX_LINE;
	max_total = r.max_total ? r.max_total : RUN_MAX_TOTAL;
	check_excerpt(m.stream, m.size, 1 + data[4]);

	for (size_t k = 0, left; rc == 0 && fed < m.size; k++) {
		size_t n = chunk[k % 2];

		left = m.size - fed;
		if ((chunk[0] == 0 && chunk[1] == 0) || n == 255 || n > left)
			n = left;
		/* the reader reads only its n bytes: a copy of exactly that size */
		char *piece = malloc(n ? n : 1);
		check(piece != NULL);
		memcpy(piece, m.stream + fed, n);
		fed += n;
		rc = agent_output_feed(&r, piece, n, err, sizeof(err));
		free(piece);
		check(r.total == fed);
		check(r.len <= r.cap && r.cap <= m.max_line);
		if (rc != 0)
			check_refusal(&m, err, fed, max_total);
	}
	if (rc == 0) {
		rc = agent_output_finish(&r, err, sizeof(err));
		check(r.len <= r.cap && r.cap <= m.max_line);
		if (rc != 0) {
			check_refusal(&m, err, r.total, max_total);
		} else {
			size_t start, n;

			/* every line was handed on */
			check(!next_line(&m, &start, &n));
		}
	}
	check(r.summary == m.summary);
	check((r.refused[0] != '\0') == m.error);
	agent_output_release(&r);
	return 0;
}
