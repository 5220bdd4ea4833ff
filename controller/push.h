/* Agent push: the static agent goes to <root>/var/lib/orch/bin/ on a node
 * under a name that is its SHA-256, so a node that has it is not sent it
 * again, and only a complete upload is ever renamed to that name. */
#ifndef ORCH_PUSH_H
#define ORCH_PUSH_H

#include <stddef.h>
#include <libssh/libssh.h>

#include "plan.h"
#include "run.h"

/* The agent binary: the one built into orch, or one read from a file. */
struct agent_blob {
	const unsigned char *data;
	size_t len;
	char sha256[65];       /* lowercase hex */
	char path[4096];       /* where it came from */
	unsigned char *owned;  /* data, when read from a file */
};

/* The agent to send: the file $ORCH_AGENT names, when set (read and
 * hashed now), else the one built into orch (hashed when it was built).
 * Returns 0, or -1 with err. */
int agent_blob_get(struct agent_blob *out, char *err, size_t errlen);

/* Frees what agent_blob_get or agent_blob_load allocated. */
void agent_blob_release(struct agent_blob *blob);

/* Where the agent of blob lives on t: <root>/var/lib/orch/bin/orch-agent-<sha256>. */
void agent_remote_path(const struct agent_blob *blob, const struct target *t, char *path, size_t pathlen);

/* What agent_run runs and where its answers go (see run_agent). */
struct agent_run_opts {
	const char *plan;
	int timeout;            /* seconds for each SSH operation of the push */
	int run_timeout;        /* seconds the agent may run */
	run_line_fn fn;
	void *ctx;
	int *status;            /* the agent's exit status */
	int *sent;              /* set when the agent was uploaded now */
};

/* Runs the agent on the node behind s with o->plan. A warm node takes one
 * command; a node without this agent (its shell answers 127, not found) is
 * sent it first and asked again. Returns as run_agent (never
 * RUN_AGENT_ABSENT). */
int agent_run(ssh_session s, const struct agent_blob *blob, const struct target *t,
	      const struct agent_run_opts *o, char *err, size_t errlen);

/* The rest of agent_run once the node's shell answered 127: sends the agent,
 * then runs it. */
int agent_send_and_run(ssh_session s, const struct agent_blob *blob, const struct target *t,
		       const struct agent_run_opts *o, char *err, size_t errlen);

#endif
