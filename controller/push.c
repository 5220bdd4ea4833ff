#include "push.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/sftp.h>
#include <openssl/evp.h>

#include "protocol.h"
#include "agent_sha256.h"
#include "ssh.h"

static int agent_blob_load(struct agent_blob *out, const char *path, char *err, size_t errlen);

#define PUSH_CHUNK (64 * 1024)
#define AGENT_MAX (64 * 1024 * 1024)

/* The agent orch carries, from agent_blob.S. */
extern const unsigned char orch_embedded_agent[], orch_embedded_agent_end[];

int
agent_blob_get(struct agent_blob *out, char *err, size_t errlen)
{
	const char *env = getenv("ORCH_AGENT");

	if (env != NULL && env[0] != '\0')
		return agent_blob_load(out, env, err, errlen);
	memset(out, 0, sizeof(*out));
	out->data = orch_embedded_agent;
	out->len = (size_t)(orch_embedded_agent_end - orch_embedded_agent);
	snprintf(out->sha256, sizeof(out->sha256), "%s", ORCH_EMBEDDED_AGENT_SHA256);
	snprintf(out->path, sizeof(out->path), "(built into orch)");
	if (out->len != ORCH_EMBEDDED_AGENT_SIZE) {
		snprintf(err, errlen, "the agent built into orch is %zu bytes, not %d: a broken build", out->len,
			 ORCH_EMBEDDED_AGENT_SIZE);
		return -1;
	}
	return 0;
}

/* Reads path into out and hashes it. Returns 0, or -1 with err. */
static int
agent_blob_load(struct agent_blob *out, const char *path, char *err, size_t errlen)
{
	struct agent_blob b = {0};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct stat st;
	size_t got = 0;
	int fd, rc = -1;

	snprintf(b.path, sizeof(b.path), "%s", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read the agent '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > AGENT_MAX) {
		snprintf(err, errlen, "the agent '%s' is not a regular file of 1 byte to 64 MiB", path);
		goto out;
	}
	b.len = (size_t)st.st_size;
	if ((b.owned = malloc(b.len)) == NULL) {
		snprintf(err, errlen, "out of memory reading the agent '%s'", path);
		goto out;
	}
	b.data = b.owned;
	while (got < b.len) {
		ssize_t n = read(fd, b.owned + got, b.len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read the agent '%s': %s", path, n < 0 ? strerror(errno) : "short read");
			goto out;
		}
		got += (size_t)n;
	}
	if (EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		snprintf(err, errlen, "cannot hash the agent '%s'", path);
		goto out;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(b.sha256 + 2 * i, 3, "%02x", md[i]);
	*out = b;
	b.owned = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(b.owned);
	return rc;
}

void
agent_blob_release(struct agent_blob *blob)
{
	free(blob->owned);
	blob->owned = NULL;
	blob->data = NULL;
}

static int
random_hex(char *out, size_t bytes)
{
	unsigned char r[16];

	if (bytes > sizeof(r) || getrandom(r, bytes, 0) != (ssize_t)bytes)
		return -1;
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

static int
upload(sftp_session sftp, const struct agent_blob *blob, const char *tmp, char *err, size_t errlen)
{
	sftp_file f;
	size_t off = 0;

	if ((f = sftp_open(sftp, tmp, O_WRONLY | O_CREAT | O_EXCL, 0700)) == NULL) {
		snprintf(err, errlen, "cannot create '%s' on the node: sftp error %d", tmp, sftp_get_error(sftp));
		return -1;
	}
	while (off < blob->len) {
		size_t n = blob->len - off < PUSH_CHUNK ? blob->len - off : PUSH_CHUNK;
		ssize_t w = sftp_write(f, blob->data + off, n);

		if (w <= 0) {
			snprintf(err, errlen, "cannot write '%s' on the node: sftp error %d", tmp, sftp_get_error(sftp));
			sftp_close(f);
			return -1;
		}
		off += (size_t)w;
	}
	if (sftp_extension_supported(sftp, "fsync@openssh.com", "1") && sftp_fsync(f) != 0) {
		snprintf(err, errlen, "cannot sync '%s' on the node: sftp error %d", tmp, sftp_get_error(sftp));
		sftp_close(f);
		return -1;
	}
	if (sftp_close(f) != 0) {
		snprintf(err, errlen, "cannot close '%s' on the node: sftp error %d", tmp, sftp_get_error(sftp));
		return -1;
	}
	return 0;
}

/* Runs cmd; 0 when it exited 0, else -1 with its output in err. */
static int
exec_ok(ssh_session s, const char *cmd, int timeout_s, char *err, size_t errlen)
{
	char output[512];
	int status = -1;

	if (orch_ssh_exec(s, cmd, timeout_s, &status, output, sizeof(output), err, errlen) != 0)
		return -1;
	if (status != 0) {
		output[strcspn(output, "\n")] = '\0';
		snprintf(err, errlen, "'%s' exited %d%s%s", cmd, status, output[0] ? ": " : "", output);
		return -1;
	}
	return 0;
}

void
agent_remote_path(const struct agent_blob *blob, const struct target *t, char *path, size_t pathlen)
{
	const char *root = t->root && strcmp(t->root, "/") != 0 ? t->root : "";

	/* root passed plan_safe_path(): it may stand unquoted in a command. */
	snprintf(path, pathlen, "%s%s/orch-agent-%s", root, ORCH_BIN_DIR, blob->sha256);
}

int
agent_install_command(const struct agent_blob *blob, const struct target *t, char *cmd, size_t cmdlen)
{
	const char *root = t->root && strcmp(t->root, "/") != 0 ? t->root : "";
	char rnd[17];
	int n;

	if (random_hex(rnd, 8) != 0)
		return -1;
	/* root passed plan_safe_path() and the rest is hex and digits: nothing
	 * here comes from a node or needs quoting. Directories are made as
	 * before any orch: /var/lib 0755, orch's own 0700. head -c reads no
	 * more than its count, so the plan is left on stdin for the agent;
	 * `sync FILE` is fsync(2); the hash check keeps a short or damaged
	 * upload from ever taking the agent's name. set -C: the temporary
	 * file is created, never followed or reused. */
	n = snprintf(cmd, cmdlen,
		     "B=%s%s; A=$B/orch-agent-%s; F=$B/.orch-agent-%s.%s.tmp; "
		     "umask 022 && mkdir -p %s/var/lib && umask 077 && mkdir -p \"$B\" || exit %d; set -C; "
		     "if head -c %zu >\"$F\" && chmod 700 \"$F\" && sync \"$F\" && set -- $(sha256sum \"$F\") && [ \"$1\" = %s ] && "
		     "mv -f \"$F\" \"$A\"; then exec \"$A\"; fi; "
		     "rm -f \"$F\"; echo \"the upload did not arrive whole in $F\" >&2; exit %d",
		     root, ORCH_BIN_DIR, blob->sha256, blob->sha256, rnd, root, AGENT_INSTALL_FAILED, blob->len,
		     blob->sha256, AGENT_INSTALL_FAILED);
	return n > 0 && (size_t)n < cmdlen ? 0 : -1;
}

int
agent_push(ssh_session s, const struct agent_blob *blob, const struct target *t, int timeout_s, int *sent,
	   char *err, size_t errlen)
{
	char path[1280];
	const size_t pathlen = sizeof(path);
	const char *root = t->root && strcmp(t->root, "/") != 0 ? t->root : "";
	sftp_session sftp = NULL;
	char bindir[1024], tmp[1200], cmd[8192], rnd[33];
	char *home = NULL;
	int rc = -1;

	*sent = 0;
	snprintf(bindir, sizeof(bindir), "%s%s", root, ORCH_BIN_DIR);
	agent_remote_path(blob, t, path, pathlen);
	if (random_hex(rnd, 8) != 0) {
		snprintf(err, errlen, "cannot get random bytes");
		goto out;
	}
	{
		/* The login user cannot see into the root-only directory: ask
		 * sudo, then stage the upload in the user's home. */
		char output[512];
		int status = -1;

		snprintf(cmd, sizeof(cmd), "sudo -n test -f %s", path);
		if (orch_ssh_exec(s, cmd, timeout_s, &status, output, sizeof(output), err, errlen) != 0)
			goto out;
		if (output[0] != '\0') {
			output[strcspn(output, "\n")] = '\0';
			snprintf(err, errlen, "'%s' failed: %s", cmd, output);
			goto out;
		}
		if (status == 0) {
			rc = 0;
			goto out;
		}
	}
	if ((sftp = sftp_new(s)) == NULL || sftp_init(sftp) != SSH_OK) {
		snprintf(err, errlen, "cannot start sftp on the node: %s", ssh_get_error(s));
		goto out;
	}
	if ((home = sftp_canonicalize_path(sftp, ".")) == NULL || !plan_safe_path(home)) {
		snprintf(err, errlen, "the login user's home on the node is unusable for staging the agent: '%s'",
			 home ? home : "(unknown)");
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/.orch-agent-%s.%s.tmp", home, blob->sha256, rnd);
	if (upload(sftp, blob, tmp, err, errlen) != 0) {
		sftp_unlink(sftp, tmp);
		goto out;
	}
	snprintf(cmd, sizeof(cmd),
		 "sudo -n mkdir -p -m 0700 %s && sudo -n install -m 0700 -o root -g root %s %s/.orch-agent-%s.tmp && sudo -n mv -f -- %s/.orch-agent-%s.tmp %s; rc=$?; rm -f %s; exit $rc",
		 bindir, tmp, bindir, rnd, bindir, rnd, path, tmp);
	if (exec_ok(s, cmd, timeout_s, err, errlen) != 0)
		goto out;
	*sent = 1;
	rc = 0;
out:
	ssh_string_free_char(home);
	if (sftp != NULL)
		sftp_free(sftp);
	return rc;
}
