/* SSH transport over libssh: connect with a strict host key check,
 * authenticate, run one command. One session belongs to one thread at a
 * time. */
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
	char ssh_dir[512];         /* the user's ~/.ssh as libssh finds it; "" to let it look */
	pthread_mutex_t known_hosts_lock;
	/* Identity files read once for all sessions (the engine's thread
	 * only): a thousand logins with one key parse it once. */
	struct ssh_identity {
		char *path;
		ssh_key key;
	} *identities;
	size_t nidentities;
};

/* Frees the keys ctx read. */
void orch_ssh_ctx_release(struct ssh_ctx *ctx);

/* Fills ctx->ssh_dir once for all sessions: libssh would look the user up
 * in the password database for each one. */
void orch_ssh_find_dir(struct ssh_ctx *ctx);

/* Notes a connection leaves for the report. */
struct ssh_notes {
	int recorded_key;          /* --accept-new wrote this host's key */
	char fingerprint[128];     /* "ED25519 SHA256:..." of the server's key */
};

/* The steps of a connection, for the engine that drives sessions without
 * blocking (engine.c) --------------------------------------------------- */

/* A new session for t with every option set (config files read, then the
 * inventory's values), not yet connected; where gets "user@host:port" for
 * messages. Returns 0, or -1 with err. */
int orch_ssh_new(ssh_session *out, struct ssh_ctx *ctx, const struct target *t,
		 char *where, size_t wherelen, char *err, size_t errlen);

/* Explains in err why ssh_connect() failed; timed_out when the caller's own
 * deadline passed (libssh's own timeouts are recognised by their message). */
void orch_ssh_connect_failure(ssh_session s, const char *where, long timeout, int timed_out,
			      char *err, size_t errlen);

/* Checks the server's key of a connected session strictly (recording it
 * with accept_new). Returns 0, or -1 with err naming the fingerprint. */
int orch_ssh_check_host_key(ssh_session s, struct ssh_ctx *ctx, const char *where,
			    struct ssh_notes *notes, char *err, size_t errlen);

/* Where a login stands; start from {0}, release when done. */
enum ssh_auth_stage {
	AUTH_AGENT,                /* ssh-agent, when SSH_AUTH_SOCK is set */
	AUTH_IDENTITY,             /* the host's or -i's identity file */
	AUTH_DEFAULT_KEYS,         /* libssh's default keys: the last one */
};

struct ssh_auth {
	enum ssh_auth_stage stage;
	ssh_key key;               /* the identity file's key, borrowed from the ssh_ctx */
	char tried[512];
};

/* Goes on with the login. Returns 0 when logged in, 1 when a nonblocking
 * session must wait for the server (call again), -1 with err. */
int orch_ssh_auth_step(ssh_session s, struct ssh_ctx *ctx, const struct target *t,
		       const char *where, struct ssh_auth *a, char *err, size_t errlen);
void orch_ssh_auth_release(struct ssh_auth *a);

/* Disconnects and frees s (NULL is fine). */
void orch_ssh_close(ssh_session s);

#endif
