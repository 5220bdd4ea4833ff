#include "run.h"
#include "clock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct reader {
	char *buf;          /* the line being assembled */
	size_t len, cap;
	size_t total;
	int summary;        /* a summary line was seen */
	char refused[512];  /* the agent's error line, when it refused the plan */
	run_line_fn fn;
	void *ctx;
};

/* Quotes the start of untrusted output for a message. */
static void
excerpt(char *out, size_t outlen, const char *s, size_t n)
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
take_line(struct reader *r, const char *line, size_t n, char *err, size_t errlen)
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
		excerpt(ex, sizeof(ex), line, n);
		snprintf(err, errlen, "the agent sent a line that is not a protocol message: '%s'", ex);
		json_decref(obj);
		return -1;
	}
	if (strcmp(type, "error") == 0) {
		const char *msg = json_string_value(json_object_get(obj, "msg"));

		snprintf(r->refused, sizeof(r->refused), "%s", msg ? msg : "(no message)");
	} else if (strcmp(type, "summary") == 0) {
		r->summary = 1;
	} else if (strcmp(type, "result") != 0) {
		snprintf(err, errlen, "the agent sent a message of unknown type '%s'", type);
		json_decref(obj);
		return -1;
	}
	r->fn(r->ctx, obj);
	json_decref(obj);
	return 0;
}

static int
feed(struct reader *r, const char *data, size_t n, char *err, size_t errlen)
{
	r->total += n;
	if (r->total > RUN_MAX_TOTAL) {
		snprintf(err, errlen, "the agent sent more than %d MiB", RUN_MAX_TOTAL / (1024 * 1024));
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

			if (r->len + 1 > RUN_MAX_LINE) {
				snprintf(err, errlen, "the agent sent a line longer than %d KiB", RUN_MAX_LINE / 1024);
				return -1;
			}
			if (cap > RUN_MAX_LINE)
				cap = RUN_MAX_LINE;
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
run_agent(ssh_session s, const char *cmd, const char *plan, int timeout_s,
	  run_line_fn fn, void *ctx, int *status, char *err, size_t errlen)
{
	struct reader r = {.fn = fn, .ctx = ctx};
	ssh_channel ch = NULL;
	double deadline = now() + timeout_s;
	char buf[65536], errtext[512] = "";
	size_t errused = 0, planlen = strlen(plan);
	int rc = -1;

	if ((ch = ssh_channel_new(s)) == NULL || ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		snprintf(err, errlen, "cannot run the agent: %s", ssh_get_error(s));
		goto out;
	}
	if (ssh_channel_write(ch, plan, (uint32_t)planlen) != (int)planlen ||
	    ssh_channel_send_eof(ch) != SSH_OK) {
		snprintf(err, errlen, "cannot send the plan to the agent: %s", ssh_get_error(s));
		goto out;
	}
	for (;;) {
		double left = deadline - now();
		int n, e;

		if (left <= 0) {
			snprintf(err, errlen, "the agent did not finish within %d s%s", timeout_s,
				 r.total == 0 ? " and sent nothing" : "");
			goto out;
		}
		n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
		if (n == SSH_ERROR) {
			snprintf(err, errlen, "lost the connection while the agent ran: %s", ssh_get_error(s));
			goto out;
		}
		if (n > 0 && feed(&r, buf, (size_t)n, err, errlen) != 0)
			goto out;
		while ((e = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), 1)) > 0) {
			for (int i = 0; i < e && errused + 1 < sizeof(errtext); i++)
				errtext[errused++] = buf[i];
			errtext[errused] = '\0';
		}
		if (n == 0 && ssh_channel_is_eof(ch))
			break;
	}
	if (r.len > 0 && feed(&r, "\n", 1, err, errlen) != 0)
		goto out;
	*status = ssh_channel_get_exit_status(ch);
	if (r.refused[0] != '\0') {
		snprintf(err, errlen, "the agent refused the plan: %s", r.refused);
		goto out;
	}
	if (!r.summary) {
		char ex[128];

		excerpt(ex, sizeof(ex), errtext, strcspn(errtext, "\n"));
		snprintf(err, errlen, "the agent ended without a summary (exit status %d)%s%s%s", *status,
			 ex[0] ? ": '" : "", ex, ex[0] ? "'" : "");
		goto out;
	}
	rc = 0;
out:
	free(r.buf);
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	return rc;
}
