#include "ssh.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <unistd.h>

#include "escape.h"

void
orch_ssh_find_dir(struct ssh_ctx *ctx)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	/* As libssh does it: the password database's home, not $HOME. */
	ctx->ssh_dir[0] = '\0';
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) == 0 && found != NULL &&
	    strlen(found->pw_dir) + sizeof("/.ssh") <= sizeof(ctx->ssh_dir))
		snprintf(ctx->ssh_dir, sizeof(ctx->ssh_dir), "%s/.ssh", found->pw_dir);
}

static void
fingerprint(ssh_session s, char *out, size_t outlen)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;

	snprintf(out, outlen, "(no key)");
	if (ssh_get_server_publickey(s, &key) != SSH_OK)
		return;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0 &&
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen)) != NULL) {
		const char *type = ssh_key_type_to_char(ssh_key_type(key));

		snprintf(out, outlen, "%s %s", type ? type : "unknown", fp);
	}
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
}

int
orch_ssh_check_host_key(ssh_session s, struct ssh_ctx *ctx, const char *where,
			struct ssh_notes *notes, char *err, size_t errlen)
{
	const char *file = ctx->known_hosts ? ctx->known_hosts : "~/.ssh/known_hosts";
	enum ssh_known_hosts_e state;
	int rc = -1;

	fingerprint(s, notes->fingerprint, sizeof(notes->fingerprint));
	state = ssh_session_is_known_server(s);
	switch (state) {
	case SSH_KNOWN_HOSTS_OK:
		return 0;
	case SSH_KNOWN_HOSTS_CHANGED:
		snprintf(err, errlen, "host key for '%s' has changed: the server sent %s, which does not match '%s' (refused; remove the old entry if the change is expected)",
			 where, notes->fingerprint, file);
		return -1;
	case SSH_KNOWN_HOSTS_OTHER:
		snprintf(err, errlen, "host key for '%s' is of another type than the one in '%s': the server sent %s (refused)",
			 where, file, notes->fingerprint);
		return -1;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (!ctx->accept_new) {
			snprintf(err, errlen, "host key for '%s' is unknown: the server sent %s, not in '%s' (refused; check it and add it, or use --accept-new)",
				 where, notes->fingerprint, file);
			return -1;
		}
		pthread_mutex_lock(&ctx->known_hosts_lock);
		if (ssh_session_update_known_hosts(s) != SSH_OK)
			snprintf(err, errlen, "cannot record the host key of '%s' in '%s': %s",
				 where, file, ssh_get_error(s));
		else {
			notes->recorded_key = 1;
			rc = 0;
		}
		pthread_mutex_unlock(&ctx->known_hosts_lock);
		return rc;
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		snprintf(err, errlen, "cannot check the host key of '%s' against '%s': %s",
			 where, file, ssh_get_error(s));
		return -1;
	}
}

void
orch_ssh_auth_release(struct ssh_auth *a)
{
	memset(a, 0, sizeof(*a));
}

void
orch_ssh_ctx_release(struct ssh_ctx *ctx)
{
	for (size_t k = 0; k < ctx->nidentities; k++) {
		free(ctx->identities[k].path);
		ssh_key_free(ctx->identities[k].key);
	}
	free(ctx->identities);
	ctx->identities = NULL;
	ctx->nidentities = 0;
}

/* The key of the identity file at path, read on its first use; NULL when
 * it cannot be read (without a passphrase). */
static ssh_key
identity_key(struct ssh_ctx *ctx, const char *path)
{
	struct ssh_identity *more;
	ssh_key key = NULL;

	for (size_t k = 0; k < ctx->nidentities; k++) {
		if (strcmp(ctx->identities[k].path, path) == 0)
			return ctx->identities[k].key;
	}
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK)
		return NULL;
	more = realloc(ctx->identities, (ctx->nidentities + 1) * sizeof(*more));
	if (more == NULL) {
		ssh_key_free(key);
		return NULL;
	}
	ctx->identities = more;
	more[ctx->nidentities] = (struct ssh_identity){.path = strdup(path), .key = key};
	if (more[ctx->nidentities].path == NULL) {
		ssh_key_free(key);
		return NULL;
	}
	ctx->nidentities++;
	return key;
}

/* One way after the other: ssh-agent (when SSH_AUTH_SOCK is set), the
 * host's or -i's identity file, then libssh's default keys. Each libssh call
 * is repeated with the same arguments while it answers SSH_AUTH_AGAIN. */
int
orch_ssh_auth_step(ssh_session s, struct ssh_ctx *ctx, const struct target *t,
		   const char *where, struct ssh_auth *a, char *err, size_t errlen)
{
	const char *identity = t->identity ? t->identity : ctx->identity;
	int rc;

	for (;;) {
		switch (a->stage) {
		case AUTH_AGENT: {
			const char *sock = getenv("SSH_AUTH_SOCK");

			if (sock == NULL || sock[0] == '\0') {
				a->stage = AUTH_IDENTITY;
				continue;
			}
			rc = ssh_userauth_agent(s, NULL);
			if (rc == SSH_AUTH_AGAIN)
				return 1;
			if (rc == SSH_AUTH_SUCCESS)
				return 0;
			strcat(a->tried, "ssh-agent, ");
			a->stage = AUTH_IDENTITY;
			continue;
		}
		case AUTH_IDENTITY:
			if (identity == NULL) {
				a->stage = AUTH_DEFAULT_KEYS;
				continue;
			}
			if (a->key == NULL) {
				const char *home = getenv("HOME");
				char path[4096];

				/* Ansible expands ~ in ansible_ssh_private_key_file; so does orch. */
				if (strncmp(identity, "~/", 2) == 0 && home != NULL)
					snprintf(path, sizeof(path), "%s/%s", home, identity + 2);
				else
					snprintf(path, sizeof(path), "%s", identity);
				if ((a->key = identity_key(ctx, path)) == NULL) {
					snprintf(err, errlen, "cannot read identity '%s' (a key with a passphrase must be loaded into ssh-agent)",
						 identity);
					return -1;
				}
			}
			rc = ssh_userauth_publickey(s, NULL, a->key);
			if (rc == SSH_AUTH_AGAIN)
				return 1;
			if (rc == SSH_AUTH_SUCCESS)
				return 0;
			if (rc == SSH_AUTH_ERROR) {
				snprintf(err, errlen, "authentication of '%s' failed: %s", where, ssh_get_error(s));
				return -1;
			}
			snprintf(a->tried + strlen(a->tried), sizeof(a->tried) - strlen(a->tried),
				 "identity '%s', ", identity);
			a->stage = AUTH_DEFAULT_KEYS;
			continue;
		case AUTH_DEFAULT_KEYS:
			rc = ssh_userauth_publickey_auto(s, NULL, NULL);
			if (rc == SSH_AUTH_AGAIN)
				return 1;
			if (rc == SSH_AUTH_SUCCESS)
				return 0;
			if (rc == SSH_AUTH_ERROR)
				snprintf(err, errlen, "authentication of '%s' failed: %s", where, ssh_get_error(s));
			else
				snprintf(err, errlen, "permission denied for '%s' (tried %sthe default keys)", where, a->tried);
			return -1;
		}
	}
}

/* libssh says "Timeout connecting" whether the TCP handshake or the SSH one
 * stalled: a node that took the connection and then said nothing, or only
 * its banner, is named as such. */
void
orch_ssh_connect_failure(ssh_session s, const char *where, long timeout, int timed_out,
			 char *err, size_t errlen)
{
	const char *banner = ssh_get_serverbanner(s), *why = ssh_get_error(s);

	timed_out = timed_out || strncmp(why, "Timeout", 7) == 0;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	socket_t fd = ssh_get_fd(s);
	char ex[160];

	if (banner != NULL) {
		orch_escape(ex, sizeof(ex), banner, strlen(banner), 0);
		if (timed_out)
			snprintf(err, errlen, "cannot connect to '%s': the server sent the banner '%s' and then nothing within %ld s",
				 where, ex, timeout);
		else
			snprintf(err, errlen, "cannot connect to '%s': the server sent the banner '%s', then: %s",
				 where, ex, why);
	} else if (timed_out && fd != SSH_INVALID_SOCKET &&
		   getpeername(fd, (struct sockaddr *)&peer, &plen) == 0)
		snprintf(err, errlen, "cannot connect to '%s': the server took the connection but sent no SSH banner within %ld s",
			 where, timeout);
	else
		snprintf(err, errlen, "cannot connect to '%s': %s", where, why);
}

int
orch_ssh_new(ssh_session *out, struct ssh_ctx *ctx, const struct target *t,
	     char *where, size_t wherelen, char *err, size_t errlen)
{
	ssh_session s = NULL;
	long timeout = ctx->timeout;
	int nodelay = 1;
	char *user = NULL, *host = NULL;
	const char *host_s;
	unsigned int port = 22;

	snprintf(where, wherelen, "%s", t->address);
	if ((s = ssh_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The config file is read for the address as given, like ssh(1) does
	 * with ansible_host; explicit inventory values then override it. */
	if (ssh_options_set(s, SSH_OPTIONS_HOST, t->address) != 0 ||
	    (ctx->ssh_dir[0] != '\0' && ssh_options_set(s, SSH_OPTIONS_SSH_DIR, ctx->ssh_dir) != 0) ||
	    ssh_options_parse_config(s, NULL) != 0) {
		snprintf(err, errlen, "cannot set up a session for '%s': %s", t->address, ssh_get_error(s));
		ssh_free(s);
		return -1;
	}
	if (t->port != 0)
		ssh_options_set(s, SSH_OPTIONS_PORT, &t->port);
	if (t->user != NULL)
		ssh_options_set(s, SSH_OPTIONS_USER, t->user);
	else if (ssh_options_get(s, SSH_OPTIONS_USER, &user) != SSH_OK)
		ssh_options_set(s, SSH_OPTIONS_USER, "root");
	ssh_string_free_char(user);
	user = NULL;
	if (ctx->known_hosts != NULL)
		ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, ctx->known_hosts);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
	/* Every exchange here is a request and its answer: with Nagle on, the
	 * last segment of a request waits for the peer's delayed ACK (40 ms on
	 * Linux), for every SFTP chunk and every step of the login. */
	ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);
	ssh_options_get(s, SSH_OPTIONS_USER, &user);
	ssh_options_get(s, SSH_OPTIONS_HOST, &host);
	ssh_options_get_port(s, &port);
	/* An IPv6 address in brackets, as ssh(1) and known_hosts write it. */
	host_s = host ? host : t->address;
	snprintf(where, wherelen, strchr(host_s, ':') ? "%s@[%s]:%u" : "%s@%s:%u", user ? user : "?", host_s, port);
	ssh_string_free_char(user);
	ssh_string_free_char(host);
	*out = s;
	return 0;
}

void
orch_ssh_close(ssh_session s)
{
	if (s == NULL)
		return;
	if (ssh_is_connected(s))
		ssh_disconnect(s);
	ssh_free(s);
}
