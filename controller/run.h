/* Running the agent: the plan on stdin, JSON lines read back as they come,
 * bounded in line length, total size and time. */
#ifndef ORCH_RUN_H
#define ORCH_RUN_H

#include <stddef.h>
#include <jansson.h>
#include <libssh/libssh.h>

#include "agent_output.h"

/* run_agent's answer when the remote shell found no agent at cmd: it
 * exited 127 ("command not found") without a byte on stdout. */
#define RUN_AGENT_ABSENT 1

/* Runs cmd on s, writes plan to its stdin and hands every line to fn. Returns
 * 0 when the agent answered with a summary (its exit status in *status),
 * RUN_AGENT_ABSENT, or -1 with err saying what went wrong: a refused plan,
 * garbage, too much output, no summary, or no answer within timeout_s. */
int run_agent(ssh_session s, const char *cmd, const char *plan, int timeout_s,
	      run_line_fn fn, void *ctx, int *status, char *err, size_t errlen);

/* What a finished run of the agent amounts to: its output r (fed to the
 * end), exit status, a failure to send the plan and the start of its stderr.
 * Returns as run_agent. */
int run_conclude(struct agent_output *r, int status, const char *write_err, const char *errtext,
		 char *err, size_t errlen);

#endif
