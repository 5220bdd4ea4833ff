/* The fleet run: every host's session driven from one thread with libssh's
 * nonblocking calls, at most `forks` at once. A host whose agent must be sent
 * (or that logs in through sudo) goes on in a thread of its own. */
#ifndef ORCH_LOOP_H
#define ORCH_LOOP_H

#include <stddef.h>

#include "cli.h"
#include "plan.h"
#include "push.h"
#include "report.h"
#include "ssh.h"

/* Runs the agent with plan_text[i] on the node of plans[i].target for every
 * i < n, reporting each line, failure and end to report as it comes. */
void loop_run(size_t n, const struct options *opts, struct ssh_ctx *ssh,
	      const struct agent_blob *agent, const struct host_plan *plans,
	      char *const *plan_text, struct report *report);

#endif
