#include "run.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
run_conclude(struct agent_output *r, int status, const char *write_err, const char *errtext,
	     char *err, size_t errlen)
{
	if (status == 127 && r->total == 0)
		return RUN_AGENT_ABSENT;
	if (write_err[0] != '\0') {
		snprintf(err, errlen, "%s", write_err);
		return -1;
	}
	if (agent_output_finish(r, err, errlen) != 0)
		return -1;
	if (r->refused[0] != '\0') {
		snprintf(err, errlen, "the agent refused the plan: %s", r->refused);
		return -1;
	}
	if (!r->summary) {
		char ex[128];

		agent_output_excerpt(ex, sizeof(ex), errtext, strcspn(errtext, "\n"));
		snprintf(err, errlen, "the agent ended without a summary (exit status %d)%s%s%s", status,
			 ex[0] ? ": '" : "", ex, ex[0] ? "'" : "");
		return -1;
	}
	return 0;
}

int
run_agent(ssh_session s, const char *cmd, const char *plan, int timeout_s,
	  run_line_fn fn, void *ctx, int *status, char *err, size_t errlen)
{
	struct agent_output r = {.fn = fn, .ctx = ctx};
	ssh_channel ch = NULL;
	double deadline = now() + timeout_s;
	char buf[65536], errtext[512] = "", write_err[512] = "";
	size_t errused = 0, planlen = strlen(plan);
	int rc = -1;

	if ((ch = ssh_channel_new(s)) == NULL || ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		snprintf(err, errlen, "cannot run the agent: %s", ssh_get_error(s));
		goto out;
	}
	/* A shell that found no agent may have closed the channel already: what
	 * it answered decides below whether a failed write matters. */
	if (ssh_channel_write(ch, plan, (uint32_t)planlen) != (int)planlen ||
	    ssh_channel_send_eof(ch) != SSH_OK)
		snprintf(write_err, sizeof(write_err), "cannot send the plan to the agent: %s", ssh_get_error(s));
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
		if (n > 0 && agent_output_feed(&r, buf, (size_t)n, err, errlen) != 0)
			goto out;
		while ((e = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), 1)) > 0) {
			for (int i = 0; i < e && errused + 1 < sizeof(errtext); i++)
				errtext[errused++] = buf[i];
			errtext[errused] = '\0';
		}
		if (n == 0 && ssh_channel_is_eof(ch))
			break;
	}
	*status = ssh_channel_get_exit_status(ch);
	rc = run_conclude(&r, *status, write_err, errtext, err, errlen);
out:
	agent_output_release(&r);
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	return rc;
}
