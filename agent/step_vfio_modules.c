/* vfio_modules: the vfio modules in /etc/modules, so they load at boot. */
#include <stdlib.h>
#include <string.h>

#include "fileops.h"
#include "steps.h"

#define MODULES_FILE "/etc/modules"

/* The module a line of /etc/modules names ('-' and '_' are the same to
 * modprobe), or NULL for comments and blank lines. */
static char *line_module(const char *line, size_t n)
{
	size_t i = 0, start;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n || line[i] == '#')
		return NULL;
	start = i;
	while (i < n && line[i] != ' ' && line[i] != '\t')
		i++;
	char *m = xstrndup(line + start, i - start);
	for (char *p = m; *p; p++)
		if (*p == '-')
			*p = '_';
	return m;
}

int step_vfio_modules(struct agent *ag, const struct step *st, struct result *r)
{
	static const char *const base[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };
	char *old = NULL;
	struct sb out;
	struct strv present = { 0 }, added = { 0 };
	bool removed_virqfd = false;
	int ret;

	(void)st;
	if (node_read(ag, r, MODULES_FILE, &old) < 0)
		return -1;
	sb_init(&out);
	if (!old)
		sb_adds(&out, "# /etc/modules: kernel modules to load at boot time.\n");
	for (const char *p = old; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *m = line_module(p, n);
		/* from 6.2 vfio_virqfd is part of vfio, and listing it makes modprobe fail */
		if (m && strcmp(m, "vfio_virqfd") == 0 && !ag->facts.vfio_virqfd_module) {
			removed_virqfd = true;
		} else {
			sb_add(&out, p, n);
			sb_adds(&out, "\n");
			if (m)
				strv_push(&present, m);
		}
		free(m);
		p = nl ? nl + 1 : p + n;
	}
	for (size_t i = 0; i < 4; i++) {
		const char *m = i < 3 ? base[i] : ag->facts.vfio_virqfd_module ? "vfio_virqfd" : NULL;
		if (m && !strv_has(&present, m)) {
			sb_addf(&out, "%s\n", m);
			strv_push(&added, m);
		}
	}
	ret = node_ensure(ag, r, MODULES_FILE, out.s, NEED_INITRAMFS);
	if (ret > 0) {
		result_set(r, ST_CHANGED);
		r->reboot_needed = true;
		if (added.n) {
			struct sb m;
			sb_init(&m);
			for (size_t i = 0; i < added.n; i++)
				sb_addf(&m, "%s%s", i ? ", " : "", added.v[i]);
			result_msg(r, "added %s to " MODULES_FILE, m.s);
			sb_release(&m);
		}
		if (removed_virqfd)
			result_msg(r, "removed vfio_virqfd: kernel %s has it inside vfio", ag->facts.kernel_target);
	} else if (ret == 0) {
		result_msg(r, MODULES_FILE " lists the vfio modules%s", ag->facts.vfio_virqfd_module ?
		           " (with vfio_virqfd, a module of its own on this kernel)" : "");
	}
	sb_release(&out);
	free(old);
	strv_release(&present);
	strv_release(&added);
	return ret < 0 ? -1 : 0;
}
