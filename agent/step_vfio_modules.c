/* vfio_modules: the vfio modules loaded at boot. systemd-modules-load reads
 * the .conf files of the modules-load.d directories (modules-load.d(5);
 * src/basic/path-lookup.h CONF_PATHS("modules-load.d"): /etc, /run,
 * /usr/local/lib, /usr/lib, and /lib on split-/usr systems such as PVE 7),
 * one list sorted by file name where a name in a higher-priority directory
 * hides the same name in the others; a line is a module name, '#' and ';'
 * start comments. Debian links /etc/modules-load.d/modules.conf to
 * /etc/modules, the file orch adds to. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileops.h"
#include "steps.h"

#define MODULES_FILE "/etc/modules"

static const char *const load_dirs[] = {
	"/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d",
	"/lib/modules-load.d", NULL,
};

/* The module a line names ('-' and '_' are the same to modprobe), or NULL
 * for comments and blank lines. */
static char *line_module(const char *line, size_t n)
{
	size_t i = 0, start;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n || line[i] == '#' || line[i] == ';')
		return NULL;
	start = i;
	while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
		i++;
	char *m = xstrndup(line + start, i - start);
	for (char *p = m; *p; p++)
		if (*p == '-')
			*p = '_';
	return m;
}

/* The effective modules-load.d files (node paths, in the order systemd
 * reads them), /etc/modules first when a link to it is among them or
 * none is: it is the file orch writes to. */
static void load_files(struct agent *ag, struct strv *out)
{
	struct strv names = { 0 }, paths = { 0 };
	char *modules = node_path(ag, MODULES_FILE), *real_modules = realpath(modules, NULL);

	for (size_t d = 0; load_dirs[d]; d++) {
		char *dir = node_path(ag, load_dirs[d]);
		DIR *dh = opendir(dir);
		struct dirent *e;
		struct strv here = { 0 };
		while (dh && (e = readdir(dh))) {
			size_t len = strlen(e->d_name);
			if (e->d_name[0] != '.' && len > 5 && strcmp(e->d_name + len - 5, ".conf") == 0)
				strv_push(&here, e->d_name);
		}
		if (dh)
			closedir(dh);
		free(dir);
		strv_sort(&here);
		for (size_t i = 0; i < here.n; i++) {
			if (strv_has(&names, here.v[i]))
				continue;
			strv_push(&names, here.v[i]);
			strv_push_own(&paths, xasprintf("%s/%s", load_dirs[d], here.v[i]));
		}
		strv_release(&here);
	}
	strv_sort(&names);
	strv_push(out, MODULES_FILE);
	for (size_t i = 0; i < names.n; i++)
		for (size_t k = 0; k < paths.n; k++) {
			if (strcmp(strrchr(paths.v[k], '/') + 1, names.v[i]) != 0)
				continue;
			char *full = node_path(ag, paths.v[k]), *real = realpath(full, NULL);
			/* the link to /etc/modules, or a file masked by /dev/null */
			if (!(real && real_modules && strcmp(real, real_modules) == 0) &&
			    !(real && strcmp(real, "/dev/null") == 0))
				strv_push(out, paths.v[k]);
			free(real);
			free(full);
		}
	strv_release(&names);
	strv_release(&paths);
	free(real_modules);
	free(modules);
}

/* Whether a node file is the admin's to edit for good; the others get a
 * same-named copy in /etc/modules-load.d that hides them. */
static bool editable(const char *path)
{
	return strcmp(path, MODULES_FILE) == 0 || starts_with(path, "/etc/") || starts_with(path, "/usr/local/");
}

int step_vfio_modules(struct agent *ag, const struct step *st, struct result *r)
{
	static const char *const base[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };
	struct strv files = { 0 }, present = { 0 }, added = { 0 }, disabled = { 0 };
	char *why = xasprintf("kernel %s has vfio_virqfd inside vfio; listing it makes modprobe fail",
	                      ag->facts.kernel_target);
	char *modules_text = NULL;
	int ret = 0;

	(void)st;
	load_files(ag, &files);
	for (size_t f = 0; f < files.n && ret >= 0; f++) {
		char *old = NULL;
		struct sb out;
		unsigned lineno = 1;
		bool drop = false;
		int have = node_read(ag, r, files.v[f], &old);
		if (have < 0) {
			ret = -1;
			break;
		}
		sb_init(&out);
		if (!old && f == 0)
			sb_adds(&out, "# /etc/modules: kernel modules to load at boot time.\n");
		for (const char *p = old; p && *p; lineno++) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			char *m = line_module(p, n);
			/* from 6.2 vfio_virqfd is part of vfio */
			if (m && strcmp(m, "vfio_virqfd") == 0 && !ag->facts.vfio_virqfd_module) {
				drop = true;
				sb_addf(&out, "# disabled by orch (%s): ", why);
				strv_push_own(&disabled, xasprintf("%s:%u", files.v[f], lineno));
			} else if (m && !strv_has(&present, m)) {
				strv_push(&present, m);
			}
			sb_add(&out, p, n);
			sb_adds(&out, "\n");
			free(m);
			p = nl ? nl + 1 : p + n;
		}
		if (f == 0) {
			modules_text = sb_detach(&out);
		} else if (drop) {
			const char *target = files.v[f];
			char *copy = NULL;
			if (!editable(target)) {
				copy = xasprintf("/etc/modules-load.d/%s", strrchr(target, '/') + 1);
				char *body = sb_detach(&out);
				sb_init(&out);
				sb_addf(&out, "# Copied by orch from %s: this file's name hides that one, which is\n"
				              "# not the admin's to edit.\n%s", target, body);
				free(body);
			}
			int c = node_ensure(ag, r, copy ? copy : target, out.s, NEED_INITRAMFS);
			if (c < 0)
				ret = -1;
			else if (c > 0)
				ret = 1;
			free(copy);
		}
		sb_release(&out);
		free(old);
	}
	if (ret >= 0) {
		struct sb text;
		sb_init(&text);
		sb_adds(&text, modules_text);
		for (size_t i = 0; i < 4; i++) {
			const char *m = i < 3 ? base[i] : ag->facts.vfio_virqfd_module ? "vfio_virqfd" : NULL;
			if (m && !strv_has(&present, m)) {
				sb_addf(&text, "%s\n", m);
				strv_push(&added, m);
			}
		}
		int c = node_ensure(ag, r, MODULES_FILE, text.s, NEED_INITRAMFS);
		sb_release(&text);
		ret = c < 0 ? -1 : c > 0 ? 1 : ret;
	}
	if (ret > 0) {
		result_set(r, ORCH_CHANGED);
		r->reboot_needed = true;
		if (added.n) {
			struct sb m;
			sb_init(&m);
			for (size_t i = 0; i < added.n; i++)
				sb_addf(&m, "%s%s", i ? ", " : "", added.v[i]);
			result_msg(r, "added %s to " MODULES_FILE, m.s);
			sb_release(&m);
		}
		for (size_t i = 0; i < disabled.n; i++)
			result_msg(r, "disabled vfio_virqfd at %s: %s", disabled.v[i], why);
	} else if (ret == 0) {
		result_msg(r, "the vfio modules load at boot%s", ag->facts.vfio_virqfd_module ?
		           " (with vfio_virqfd, a module of its own on this kernel)" : "");
	}
	free(why);
	free(modules_text);
	strv_release(&files);
	strv_release(&present);
	strv_release(&added);
	strv_release(&disabled);
	return ret < 0 ? -1 : 0;
}
