/* rollback: put back every file orch changed, byte for byte, from the
 * originals saved before the first change (files/), and remove the files
 * orch created (absent/). The refresh step after it publishes the result. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileops.h"
#include "protocol.h"
#include "steps.h"

/* Node paths under a backup subtree, collected recursively. */
static void walk(const char *top, const char *rel, struct strv *out)
{
	char *dir = xasprintf("%s%s", top, rel);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		/* a temp file of a copy that was killed halfway is not a saved original */
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || starts_with(e->d_name, ".orch-"))
			continue;
		char *sub = xasprintf("%s/%s", rel, e->d_name), *full = xasprintf("%s%s", top, sub);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
			walk(top, sub, out);
		else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
			strv_push(out, sub);
		free(sub);
		free(full);
	}
	if (d)
		closedir(d);
	free(dir);
}

static unsigned needs_for(const char *path)
{
	if (strcmp(path, "/etc/kernel/cmdline") == 0 || starts_with(path, "/etc/default/grub"))
		return NEED_BOOT;
	return NEED_INITRAMFS;
}

static void prune(const char *top)
{
	/* empty directories left in the backup tree go; a non-empty one stays */
	DIR *d = opendir(top);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", top, e->d_name);
		if (is_dir(sub)) {
			prune(sub);
			rmdir(sub);
		}
		free(sub);
	}
	if (d)
		closedir(d);
}

int step_rollback(struct agent *ag, const struct step *st, struct result *r)
{
	char *files_top = node_path(ag, ORCH_BACKUP_DIR "/files");
	char *absent_top = node_path(ag, ORCH_BACKUP_DIR "/absent");
	struct strv files = { 0 }, absent = { 0 };
	int ret = 0, restored = 0;

	(void)st;
	walk(files_top, "", &files);
	walk(absent_top, "", &absent);
	strv_sort(&files);
	strv_sort(&absent);
	for (size_t i = 0; i < files.n + absent.n && ret == 0; i++) {
		bool was_absent = i >= files.n;
		const char *path = was_absent ? absent.v[i - files.n] : files.v[i];
		char *saved = xasprintf("%s%s", was_absent ? absent_top : files_top, path);
		char *content = NULL, *full = node_path(ag, path);
		struct stat sst;
		int changed = 0;

		if (!was_absent && (stat(saved, &sst) < 0 || read_file(saved, 4u << 20, &content, NULL) < 0)) {
			ret = result_fail(r, "cannot read the saved original of '%s': %s", path, strerror(errno));
		} else {
			changed = node_ensure(ag, r, path, was_absent ? NULL : content, needs_for(path));
			/* node_ensure keeps the current mode; the original's mode and owner come back too */
			if (changed >= 0 && !was_absent && !ag->check) {
				struct stat cst;
				if (stat(full, &cst) == 0 && ((cst.st_mode & 07777) != (sst.st_mode & 07777) ||
				                              cst.st_uid != sst.st_uid || cst.st_gid != sst.st_gid)) {
					if (chmod(full, sst.st_mode & 07777) < 0 ||
					    (chown(full, sst.st_uid, sst.st_gid) < 0 && geteuid() == 0))
						changed = result_fail(r, "cannot restore the mode of '%s': %m", path);
					else
						changed = 1;
				}
			}
			if (changed < 0) {
				ret = -1;
			} else {
				if (changed > 0)
					restored++;
				/* the saved copy goes once the original is back: a later apply saves afresh */
				if (!ag->check && unlink(saved) < 0)
					ret = result_fail(r, "cannot remove the saved '%s': %m", saved);
			}
		}
		free(saved);
		free(content);
		free(full);
	}
	if (!ag->check) {
		prune(files_top);
		prune(absent_top);
	}
	if (ret == 0) {
		if (restored) {
			result_set(r, ORCH_CHANGED);
			r->reboot_needed = true;
			result_msg(r, "restored %d file%s to what they were before orch", restored, restored == 1 ? "" : "s");
		} else {
			result_msg(r, files.n + absent.n ? "the files already match their originals"
			                                 : "nothing to restore: orch changed nothing here");
		}
	}
	strv_release(&files);
	strv_release(&absent);
	free(files_top);
	free(absent_top);
	return ret;
}
