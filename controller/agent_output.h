/* The agent's output as the controller reads it: bytes in arbitrary chunks,
 * split into JSON lines, each checked to be a protocol message before it is
 * handed on. Nothing the node sends can make it hold more than one line. */
#ifndef ORCH_AGENT_OUTPUT_H
#define ORCH_AGENT_OUTPUT_H

#include <stddef.h>
#include <jansson.h>

#include "protocol.h"

#define RUN_MAX_LINE (1024 * 1024)
#define RUN_MAX_TOTAL (16 * 1024 * 1024)
/* Messages (results, summary, error) one run may send: a plan has a few tens
 * of steps at most, and every message is kept for the report. */
#define RUN_MAX_MESSAGES 64

/* One line of the agent, decoded: the one place where the protocol's
 * "type" and "status" are read. */
struct agent_message {
	enum orch_message type;
	json_t *line;              /* the whole object, borrowed */
	const char *name;          /* a result's step, borrowed from line */
	enum orch_status status;   /* a result's outcome */
};

/* Decodes obj (a JSON object) into *out. Returns 0, or -1 with err for an
 * unknown type, or a result without a step name or a known status. */
int agent_message_decode(struct agent_message *out, json_t *obj, char *err, size_t errlen);

/* Called with each line of the agent, in order; the callee takes no
 * reference to msg->line it does not json_incref itself. */
typedef void (*run_line_fn)(void *ctx, const struct agent_message *msg);

/* Initialise with {.fn = fn, .ctx = ctx}. buf holds the unfinished line: len
 * bytes of cap, cap never above the line limit; total counts every byte fed. */
struct agent_output {
	char *buf;
	size_t len, cap;
	size_t total;
	size_t messages;    /* messages handed on */
	size_t max_line, max_total; /* limits; 0 means RUN_MAX_LINE, RUN_MAX_TOTAL */
	int summary;        /* a summary line was seen */
	char refused[512];  /* the agent's error line, when it refused the plan */
	run_line_fn fn;
	void *ctx;
};

/* Takes the next n bytes the agent sent and hands each line they complete to
 * fn. Returns 0, or -1 with err naming the first line that is not a protocol
 * message, too long a line, too many messages or too much output; after -1
 * feed no more. */
int agent_output_feed(struct agent_output *r, const char *data, size_t n, char *err, size_t errlen);

/* Takes the unfinished last line, if any, as if its newline had come.
 * Returns what agent_output_feed returns. */
int agent_output_finish(struct agent_output *r, char *err, size_t errlen);

/* Frees the line buffer; r may be fed again from scratch. */
void agent_output_release(struct agent_output *r);

/* Quotes the start of untrusted bytes s[0..n) into out for a message, as
 * escape.h writes node text: at most 60 bytes of s, then "...". */
void agent_output_excerpt(char *out, size_t outlen, const char *s, size_t n);

/* The first result line of step `name` in `lines` (an array of the agent's
 * lines, as a job collected them), borrowed; NULL when there is none. */
json_t *agent_lines_find(json_t *lines, const char *name);

#endif
