/* SSH transport over libssh: connect with a strict host key check,
 * authenticate, run one command. One session belongs to one thread. */
#ifndef ORCH_SSH_H
#define ORCH_SSH_H

#include <pthread.h>
#include <stddef.h>
#include <libssh/libssh.h>

#include "plan.h"

/* What every connection shares. Only known_hosts_lock is ever written. */
struct ssh_ctx {
	const char *known_hosts;   /* NULL: ~/.ssh/known_hosts (or ~/.ssh/config's) */
	int accept_new;            /* record unknown host keys */
	const char *identity;      /* -i, tried after ssh-agent; a host's own wins */
	int timeout;               /* seconds, for connecting and every operation */
	pthread_mutex_t known_hosts_lock;
};

/* Notes a connection leaves for the report. */
struct ssh_notes {
	int recorded_key;          /* --accept-new wrote this host's key */
	char fingerprint[128];     /* "ED25519 SHA256:..." of the server's key */
};

/* Connects to t, checks its host key and logs in. Returns 0 with *out, or -1
 * with err saying what failed (the host is then unreachable). */
int orch_ssh_connect(ssh_session *out, struct ssh_ctx *ctx, const struct target *t,
		     struct ssh_notes *notes, char *err, size_t errlen);

/* Disconnects and frees s (NULL is fine). */
void orch_ssh_close(ssh_session s);

/* Runs cmd (a fixed string: never built from inventory values) with no input,
 * collecting at most outlen-1 bytes of its stdout and stderr in out. Returns
 * 0 with the exit status in *status, or -1 with err. */
int orch_ssh_exec(ssh_session s, const char *cmd, int timeout_s, int *status,
		  char *out, size_t outlen, char *err, size_t errlen);

/* Returns the remote command prefix for t: "sudo -n " with become, else "". */
const char *orch_ssh_become_prefix(const struct target *t);

#endif
