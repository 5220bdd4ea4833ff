#include "push.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base64.h"
#include "protocol.h"
#include "agent_sha256.h"
#include "ssh.h"

static int agent_blob_load(struct agent_blob *out, const char *path, char *err, size_t errlen);

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

void
agent_remote_path(const struct agent_blob *blob, const struct target *t, char *path, size_t pathlen)
{
	const char *root = t->root && strcmp(t->root, "/") != 0 ? t->root : "";

	/* root passed plan_safe_path(): it may stand unquoted in a command. */
	snprintf(path, pathlen, "%s%s/orch-agent-%s", root, ORCH_BIN_DIR, blob->sha256);
}

/* The plan in base64, or NULL when it is longer than PLAN_ARG_MAX. */
static char *
plan_arg(const char *plan)
{
	size_t n = strlen(plan);
	char *b64;

	if (n > PLAN_ARG_MAX || (b64 = malloc(orch_base64_len(n) + 1)) == NULL)
		return NULL;
	orch_base64_encode(b64, (const unsigned char *)plan, n);
	return b64;
}

char *
agent_run_command(const struct agent_blob *blob, const struct target *t, const char *plan)
{
	char path[1280], *b64 = plan_arg(plan), *cmd = NULL;

	if (b64 == NULL)
		return NULL;
	agent_remote_path(blob, t, path, sizeof(path));
	/* With become, sh under sudo: a missing agent is its 127, as the
	 * login shell's (sudo itself would answer 1). */
	if (asprintf(&cmd, t->become ? "sudo -n sh -c 'exec %s --plan %s'" : "%s --plan %s", path, b64) < 0)
		cmd = NULL;
	free(b64);
	return cmd;
}

char *
agent_install_command(const struct agent_blob *blob, const struct target *t, const char *plan)
{
	const char *root = t->root && strcmp(t->root, "/") != 0 ? t->root : "";
	char rnd[17], *b64 = plan_arg(plan), *cmd = NULL;

	if (b64 == NULL || random_hex(rnd, 8) != 0) {
		free(b64);
		return NULL;
	}
	/* root passed plan_safe_path() and the rest is hex, digits and base64:
	 * nothing here needs quoting. Directories are made as before any
	 * orch: /var/lib 0755, orch's own 0700. `head -c` reads no more than
	 * its count; `sync FILE` is fsync(2); the hash check keeps a short or
	 * damaged upload from ever taking the agent's name. set -C: the
	 * temporary file is created, never followed or reused. */
	if (asprintf(&cmd,
		     "%sB=%s%s; A=$B/orch-agent-%s; F=$B/.orch-agent-%s.%s.tmp; "
		     "umask 022 && mkdir -p %s/var/lib && umask 077 && mkdir -p \"$B\" || exit %d; set -C; "
		     "if head -c %zu >\"$F\" && chmod 700 \"$F\" && sync \"$F\" && set -- $(sha256sum \"$F\") && "
		     "[ \"$1\" = %s ] && mv -f \"$F\" \"$A\"; then exec \"$A\" --plan %s; fi; "
		     "rm -f \"$F\"; echo \"the upload did not arrive whole in $F\" >&2; exit %d%s",
		     t->become ? "sudo -n sh -c '" : "", root, ORCH_BIN_DIR, blob->sha256, blob->sha256, rnd, root,
		     AGENT_INSTALL_FAILED, blob->len, blob->sha256, b64, AGENT_INSTALL_FAILED,
		     t->become ? "'" : "") < 0)
		cmd = NULL;
	free(b64);
	return cmd;
}
