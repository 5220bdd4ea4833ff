#include "fileops.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol.h"

/* Configuration files are small; anything bigger is not what we think it is. */
#define MAX_NODE_FILE (4u << 20)

int node_read(struct agent *ag, struct result *r, const char *path, char **out)
{
	char *full = node_path(ag, path);
	int ret = 1;

	*out = NULL;
	if (read_file(full, MAX_NODE_FILE, out, NULL) < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			ret = result_fail(r, "cannot read '%s': %s", path, strerror(errno));
	}
	free(full);
	return ret;
}

static int fsync_dir(const char *full)
{
	char *copy = xstrdup(full);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	free(copy);
	return ret;
}

/* Replaces `full` (a host path) atomically with `content`, keeping the mode
 * and owner of the file it replaces (or `mode` for a new file): temp file in
 * the same directory, fsync, rename, fsync of the directory. */
static int atomic_write(const char *full, const char *content, size_t len, mode_t mode)
{
	struct stat st;
	uid_t uid = 0;
	gid_t gid = 0;
	char *tmp = NULL, *copy = xstrdup(full);
	int fd = -1, ret = -1, saved;

	if (stat(full, &st) == 0) {
		mode = st.st_mode & 07777;
		uid = st.st_uid;
		gid = st.st_gid;
	} else if (errno != ENOENT) {
		goto out;
	}
	tmp = xasprintf("%s/.orch-XXXXXX", dirname(copy));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, content + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto out;
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0)
		goto out;
	/* a non-root test run cannot give files away; root keeps the owner */
	if (fchown(fd, uid, gid) < 0 && geteuid() == 0)
		goto out;
	if (fsync(fd) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, full) < 0)
		goto out;
	free(tmp);
	tmp = NULL;
	ret = fsync_dir(full);
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(copy);
	errno = saved;
	return ret;
}

/* Copies a file with its mode and owner, atomically. */
static int copy_file(const char *from, const char *to)
{
	struct stat st;
	char *data = NULL;
	size_t len;
	int ret = -1;

	if (stat(from, &st) < 0 || read_file(from, MAX_NODE_FILE, &data, &len) < 0)
		return -1;
	ret = atomic_write(to, data, len, st.st_mode & 07777);
	if (ret == 0 && (chmod(to, st.st_mode & 07777) < 0 ||
	                 (chown(to, st.st_uid, st.st_gid) < 0 && geteuid() == 0)))
		ret = -1;
	free(data);
	return ret;
}

/* Saves the original of node file `path` once under the backup dir. */
static int backup_once(struct agent *ag, const char *path)
{
	char *full = node_path(ag, path);
	char *saved = node_pathf(ag, ORCH_BACKUP_DIR "/files%s", path);
	char *absent = node_pathf(ag, ORCH_BACKUP_DIR "/absent%s", path);
	char *dir = NULL;
	int ret = 0;

	if (path_exists(saved) || path_exists(absent))
		goto out;
	const char *target = path_exists(full) ? saved : absent;
	dir = xstrdup(target);
	*strrchr(dir, '/') = '\0';
	if (mkdir_p(dir, 0700) < 0) {
		ret = -1;
		goto out;
	}
	if (target == saved) {
		ret = copy_file(full, saved);
	} else {
		ret = atomic_write(absent, "", 0, 0600);
	}
out:
	free(full);
	free(saved);
	free(absent);
	free(dir);
	return ret;
}

unsigned pending_read(struct agent *ag)
{
	char *p = node_path(ag, ORCH_PENDING_FILE), *buf = NULL;
	unsigned needs = 0;

	if (read_file(p, 4096, &buf, NULL) == 0) {
		if (strstr(buf, "boot"))
			needs |= NEED_BOOT;
		if (strstr(buf, "initramfs"))
			needs |= NEED_INITRAMFS;
	}
	free(buf);
	free(p);
	return needs;
}

/* Records refreshes the node needs in ORCH_PENDING_FILE (and in ag). */
static int pending_add(struct agent *ag, unsigned needs)
{
	unsigned all;
	char *p, *dir, *content;
	int ret = 0;

	ag->needs |= needs;
	if (ag->check || !needs)
		return 0;
	all = pending_read(ag) | needs;
	p = node_path(ag, ORCH_PENDING_FILE);
	dir = node_path(ag, ORCH_STATE_DIR);
	content = xasprintf("%s%s", all & NEED_BOOT ? "boot\n" : "", all & NEED_INITRAMFS ? "initramfs\n" : "");
	if (mkdir_p(dir, 0700) < 0 || atomic_write(p, content, strlen(content), 0600) < 0)
		ret = -1;
	free(content);
	free(dir);
	free(p);
	return ret;
}

int pending_clear(struct agent *ag)
{
	char *p = node_path(ag, ORCH_PENDING_FILE);
	int ret = unlink(p) < 0 && errno != ENOENT ? -1 : 0;
	free(p);
	return ret;
}

int node_ensure(struct agent *ag, struct result *r, const char *path, const char *content, unsigned needs)
{
	return node_ensure_mode(ag, r, path, content, needs, 0);
}

/* A file whose content is right but whose mode is not (an orch-owned script
 * someone made non-executable): the mode alone is put right. */
static int ensure_mode_only(struct agent *ag, struct result *r, const char *path, mode_t mode, unsigned needs)
{
	char *full = node_path(ag, path);
	struct stat st;
	int ret = 0;

	if (stat(full, &st) == 0 && (st.st_mode & 07777) != mode) {
		ret = 1;
		if (ag->diff)
			result_msg(r, "'%s': mode %04o -> %04o", path, (unsigned)(st.st_mode & 07777), (unsigned)mode);
		if (pending_add(ag, needs) < 0)
			ret = result_fail(r, "cannot record the pending refresh in " ORCH_PENDING_FILE ": %s",
			                  strerror(errno));
		else if (!ag->check && backup_once(ag, path) < 0)
			ret = result_fail(r, "cannot save the original of '%s' under " ORCH_BACKUP_DIR ": %s", path,
			                  strerror(errno));
		else if (!ag->check && chmod(full, mode) < 0)
			ret = result_fail(r, "cannot chmod '%s': %s", path, strerror(errno));
	}
	free(full);
	return ret;
}

int node_ensure_mode(struct agent *ag, struct result *r, const char *path, const char *content, unsigned needs,
                     mode_t mode)
{
	char *old = NULL, *full = NULL, *dir = NULL;
	struct stat st;
	int ret, have;

	have = node_read(ag, r, path, &old);
	if (have < 0)
		return -1;
	if ((!have && !content) || (have && content && strcmp(old, content) == 0)) {
		free(old);
		return have && mode ? ensure_mode_only(ag, r, path, mode, needs) : 0;
	}
	full = node_path(ag, path);
	if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode)) {
		ret = result_fail(r, "'%s' is a symlink; orch edits only regular files", path);
		goto out;
	}
	if (ag->diff)
		result_add_diff(r, path, old, content);
	ret = 1;
	if (pending_add(ag, needs) < 0) {
		ret = result_fail(r, "cannot record the pending refresh in " ORCH_PENDING_FILE ": %s", strerror(errno));
		goto out;
	}
	if (ag->check)
		goto out;
	if (backup_once(ag, path) < 0) {
		ret = result_fail(r, "cannot save the original of '%s' under " ORCH_BACKUP_DIR ": %s", path,
		                  strerror(errno));
		goto out;
	}
	if (!content) {
		if (unlink(full) < 0 && errno != ENOENT)
			ret = result_fail(r, "cannot remove '%s': %s", path, strerror(errno));
		else
			fsync_dir(full);
		goto out;
	}
	dir = xstrdup(full);
	*strrchr(dir, '/') = '\0';
	if (mkdir_p(dir, 0755) < 0 || atomic_write(full, content, strlen(content), mode ? mode : 0644) < 0 ||
	    (mode && chmod(full, mode) < 0))
		ret = result_fail(r, "cannot write '%s': %s", path, strerror(errno));
out:
	free(old);
	free(full);
	free(dir);
	return ret;
}
