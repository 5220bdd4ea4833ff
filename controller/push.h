/* Agent push: the static agent goes to <root>/var/lib/orch/bin/ on a node
 * under a name that is its SHA-256, so a node that has it is not sent it
 * again, and only a complete upload is ever renamed to that name. */
#ifndef ORCH_PUSH_H
#define ORCH_PUSH_H

#include <stddef.h>

#include "plan.h"

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

/* The exit status of agent_install_command() when the agent could not be
 * put in place; its stderr says why. */
#define AGENT_INSTALL_FAILED 125

/* The remote command that runs the agent on plan: its path and `--plan`
 * with the plan in base64 (the alphabet needs no quoting in any shell, and
 * nothing from the inventory is parsed by one), or with become all of it
 * under `sudo -n sh -c '...'`, so that a missing agent is the shell's 127
 * either way. The plan goes on the command line because an SSH server
 * (OpenSSH) gives a session's stdin no window before its command runs: on
 * stdin it would cost a round trip of its own. Returns a new string, or
 * NULL when the plan is longer than PLAN_ARG_MAX (or memory is out). */
char *agent_run_command(const struct agent_blob *blob, const struct target *t, const char *plan);

/* The exit status of agent_install_command() when the agent could not be
 * put in place; its stderr says why. */
#define AGENT_INSTALL_FAILED 125

/* The remote command that installs the agent and runs it on plan, for a
 * node whose shell does not find it (with become, all of it under `sudo -n
 * sh -c`): its stdin is the agent's blob->len bytes. It makes
 * <root>/var/lib/orch/bin (0700), writes the bytes to a new temporary file
 * there, fsyncs it, checks its SHA-256 and renames it to the agent's name,
 * then runs the agent as agent_run_command() does. Anything short of that:
 * the temporary file removed, exit AGENT_INSTALL_FAILED. One round trip
 * more than a run of an agent already there, and the bytes of the upload.
 * Returns a new string, or NULL (a plan too long, no random bytes, out of
 * memory). */
char *agent_install_command(const struct agent_blob *blob, const struct target *t, const char *plan);

#endif
