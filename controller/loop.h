/* The fleet run: every host's session driven from one thread with libssh's
 * nonblocking calls, at most `forks` at once. A host whose agent must be sent
 * (or that logs in through sudo) goes on in a thread of its own. */
#ifndef ORCH_LOOP_H
#define ORCH_LOOP_H

#include <stddef.h>

#include "cli.h"
#include "fleet.h"
#include "push.h"
#include "results.h"
#include "ssh.h"

/* Runs the agent with each host's plan on its node, recording each line,
 * failure and end in res as it comes. */
void loop_run(struct fleet *fleet, const struct options *opts, struct ssh_ctx *ssh,
	      const struct agent_blob *agent, struct results *res);

#endif
