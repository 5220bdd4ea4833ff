/* Agent push: the static agent goes to <root>/var/lib/orch/bin/ on a node
 * under a name that is its SHA-256, so a node that has it is not sent it
 * again, and only a complete upload is ever renamed to that name. */
#ifndef ORCH_PUSH_H
#define ORCH_PUSH_H

#include <stddef.h>
#include <libssh/libssh.h>

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

/* Makes sure the node behind s, a blocking session, has the agent at
 * agent_remote_path(): a node that has a file of its size there (with
 * become: that sudo finds) is left alone; else the agent is uploaded to a
 * temporary name and renamed into place (with become: staged in the login
 * user's home and installed root-only through sudo -n). Returns 0 with
 * *sent telling whether it was uploaded now, or -1 with err. */
int agent_push(ssh_session s, const struct agent_blob *blob, const struct target *t, int timeout_s, int *sent,
	       char *err, size_t errlen);

#endif
