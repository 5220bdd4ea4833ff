#include "facts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "cmd.h"
#include "cmdline.h"
#include "esp.h"
#include "guests_running.h"
#include "kmsg.h"
#include "pci.h"

static char *configured_cmdline_of(struct agent *ag, enum cmdline_source src, const char *override_path,
                                   const char *override_content, char **why);
static int grub_evaluate(struct agent *ag, const struct grub_override *ov, size_t nov, struct grub_vars *v, char **why);

#define MAX_LOG_LINES 400
#define EFI_LOADER_INFO "LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFI_SECURE_BOOT "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

const char *loader_name(enum loader l)
{
	switch (l) {
	case LOADER_SYSTEMD_BOOT:
		return "systemd-boot";
	case LOADER_GRUB_PBT:
		return "grub-pbt";
	case LOADER_MIXED:
		return "mixed";
	case LOADER_NONE:
		return "none";
	case LOADER_UNKNOWN:
		return "unknown";
	case LOADER_GRUB:
		break;
	}
	return "grub";
}

const char *cmdline_source_file(enum cmdline_source src)
{
	return src == SRC_KERNEL_CMDLINE ? "/etc/kernel/cmdline" : "/etc/default/grub";
}

static char *node_line(struct agent *ag, const char *path)
{
	char *p = node_path(ag, path), *s = read_line(p);
	free(p);
	return s;
}

static void gather_cpu(struct agent *ag)
{
	char *p = node_path(ag, "/proc/cpuinfo"), *buf = NULL;

	ag->facts.cpu = CPU_OTHER;
	if (read_file(p, 8 << 20, &buf, NULL) == 0) {
		if (strstr(buf, "GenuineIntel"))
			ag->facts.cpu = CPU_INTEL;
		else if (strstr(buf, "AuthenticAMD") || strstr(buf, "HygonGenuine"))
			ag->facts.cpu = CPU_AMD;
		else if (strstr(buf, "CentaurHauls") || strstr(buf, "  Shanghai  "))
			ag->facts.cpu = CPU_ZHAOXIN;
	}
	free(buf);
	free(p);
}

static int cmp_kver_desc(const void *a, const void *b)
{
	return kver_cmp(*(char *const *)b, *(char *const *)a);
}

bool kernel_vtd_default_on(struct agent *ag, const char *kver)
{
	char *p = node_pathf(ag, "/boot/config-%s", kver), *buf = NULL;
	bool on;

	/* Debian's kernels choose between ..._DEFAULT_ON, ..._DEFAULT_ON_INTGPU_OFF
	 * (on, but not for the integrated GPU) and ..._DEFAULT_OFF */
	if (read_file(p, 16 << 20, &buf, NULL) == 0)
		on = strstr(buf, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n") ||
		     strstr(buf, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y\n");
	else
		on = kver_num(kver) >= 608;   /* Proxmox's kernels default on from 6.8 */
	free(buf);
	free(p);
	return on;
}

/* The first line of a pin file, or NULL when it is absent or empty
 * (proxmox-boot-tool's get_first_line). */
static char *pin_line(struct agent *ag, const char *path)
{
	char *s = node_line(ag, path);

	if (s && !*s) {
		free(s);
		s = NULL;
	}
	return s;
}

static bool installed(const struct facts *f, const char *kver)
{
	return strv_has(&f->kernels_installed, kver);
}

/* GRUB's default entry as update-grub would write it now: `pin_snippet` is
 * what proxmox-boot-tool's refresh leaves of its pin drop-in (NULL: none). */
static void grub_default_target(struct agent *ag, bool override_snippet, const char *pin_snippet)
{
	struct facts *f = &ag->facts;
	struct grub_override ov = { GRUB_PIN_SNIPPET, pin_snippet };
	struct grub_vars v;
	char *why = NULL, *entry = NULL;
	const char *where;

	if (grub_evaluate(ag, override_snippet ? &ov : NULL, override_snippet ? 1 : 0, &v, &why) < 0) {
		f->kernel_target_unresolved = why;
		grub_vars_release(&v);
		return;
	}
	where = v.default_where ? v.default_where : "unset";
	entry = v.default_entry ? xstrdup(v.default_entry) : NULL;
	if (entry && strcmp(entry, "saved") == 0) {
		/* grub-reboot's next_entry first, then grub-set-default's saved_entry */
		char *env = node_path(ag, "/boot/grub/grubenv"), *buf = NULL, *next = NULL, *saved = NULL;
		if (read_file(env, 1 << 16, &buf, NULL) == 0)
			for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
				if (starts_with(l, "next_entry=") && l[11])
					next = l + 11;
				else if (starts_with(l, "saved_entry=") && l[12])
					saved = l + 12;
			}
		free(entry);
		entry = xstrdup(next ? next : saved ? saved : "0");
		f->kernel_target_from = xasprintf("GRUB_DEFAULT=saved (%s): %s of /boot/grub/grubenv '%s'", where,
		                                  next ? "next_entry" : saved ? "saved_entry" : "no entry", entry);
		free(buf);
		free(env);
	}
	bool recovery = !(v.disable_recovery && strcmp(v.disable_recovery, "true") == 0);
	int idx = grub_default_kernel(entry, &f->kernels_installed, recovery, &why);
	if (idx >= 0) {
		f->kernel_target = xstrdup(f->kernels_installed.v[idx]);
		if (!f->kernel_target_from)
			f->kernel_target_from = entry && strcmp(entry, "0") != 0
				? xasprintf("GRUB_DEFAULT '%s' (%s)", entry, where)
				: entry ? xasprintf("newest installed (GRUB_DEFAULT=0, %s)", where)
				        : xstrdup("newest installed (GRUB_DEFAULT unset)");
	} else {
		f->kernel_target_unresolved = xasprintf("%s (%s)", why, where);
		free(f->kernel_target_from);
		f->kernel_target_from = NULL;
	}
	free(why);
	free(entry);
	grub_vars_release(&v);
}

/* The kernel that boots next (docs/agent.md "The boot loader that boots
 * next"), as proxmox-boot-tool decides it
 * (proxmox-kernel-helper: src/proxmox-boot/functions, zz-proxmox-boot,
 * src/bin/proxmox-boot-tool): /etc/kernel/next-boot-pin for one boot, then
 * /etc/kernel/proxmox-boot-pin; without a pin systemd-boot's `default
 * proxmox-*` takes the newest entry and GRUB its GRUB_DEFAULT. On plain GRUB
 * `kernel pin` acts only through GRUB_DEFAULT in its drop-in, so there
 * GRUB_DEFAULT decides. A value that names no installed kernel is reported
 * and the newest installed kernel stands in. */
static void gather_kernel(struct agent *ag)
{
	struct facts *f = &ag->facts;
	char *boot = node_path(ag, "/boot"), *p, *buf = NULL;
	DIR *d = opendir(boot);
	struct dirent *e;

	f->kernel_running = node_line(ag, "/proc/sys/kernel/osrelease");
	if (!f->kernel_running)
		f->kernel_running = xstrdup("unknown");
	while (d && (e = readdir(d)))
		if (starts_with(e->d_name, "vmlinuz-") && e->d_name[8])
			strv_push(&f->kernels_installed, e->d_name + strlen("vmlinuz-"));
	if (d)
		closedir(d);
	free(boot);
	if (f->kernels_installed.n > 1)
		qsort(f->kernels_installed.v, f->kernels_installed.n, sizeof(char *), cmp_kver_desc);

	char *next = pin_line(ag, NEXT_BOOT_PIN), *pin = pin_line(ag, PROXMOX_BOOT_PIN);
	/* the pin files act through proxmox-boot-tool's refresh: on the ESPs it
	 * keeps, whatever loader they hold */
	if (f->pbt && (next || pin)) {
		const char *file = next ? NEXT_BOOT_PIN : PROXMOX_BOOT_PIN, *k = next ? next : pin;
		if (installed(f, k)) {
			f->kernel_target = xstrdup(k);
			f->kernel_target_from = xstrdup(file);
		} else {
			f->kernel_target_unresolved = xasprintf("%s names %s, which is not installed (no /boot/vmlinuz-%s)",
			                                        file, k, k);
		}
	} else if (f->cmdline_sources & SRC_GRUB_DEFAULTS) {
		/* proxmox-boot-tool's refresh drops its pin snippet when nothing is pinned */
		grub_default_target(ag, f->pbt, NULL);
	}
	/* the boot after a next-boot-pin one: proxmox-boot-cleanup.service unpins
	 * next-boot-pin on that boot and refreshes */
	if (next && f->kernel_target && strcmp(f->kernel_target_from, NEXT_BOOT_PIN) == 0) {
		if (pin && installed(f, pin))
			f->kernel_after = xstrdup(pin);
		else if (f->kernels_installed.n)
			f->kernel_after = xstrdup(f->kernels_installed.v[0]);
	}
	free(next);
	free(pin);
	if (!f->kernel_target) {
		f->kernel_target = xstrdup(f->kernels_installed.n ? f->kernels_installed.v[0] : f->kernel_running);
		if (!f->kernel_target_from)
			f->kernel_target_from = xstrdup(f->kernels_installed.n
			                                ? (f->kernel_target_unresolved ? "newest installed, standing in" : "newest installed")
			                                : "running (no /boot/vmlinuz-*)");
	}

	f->intel_iommu_default_on = kernel_vtd_default_on(ag, f->kernel_target);
	for (size_t i = 0; i < f->kernels_installed.n; i++)
		if (!kernel_vtd_default_on(ag, f->kernels_installed.v[i]))
			strv_push(&f->kernels_vtd_off, f->kernels_installed.v[i]);

	/* vfio_virqfd is its own module only before 6.2; modules.dep knows. */
	p = node_pathf(ag, "/lib/modules/%s/modules.dep", f->kernel_target);
	if (read_file(p, 64 << 20, &buf, NULL) == 0) {
		f->vfio_virqfd_module = false;
		for (char *line = buf; line && *line;) {
			char *colon = strchr(line, ':'), *nl = strchr(line, '\n');
			if (colon && (!nl || colon < nl)) {
				*colon = '\0';
				const char *base = strrchr(line, '/');
				base = base ? base + 1 : line;
				if (starts_with(base, "vfio_virqfd.ko"))
					f->vfio_virqfd_module = true;
			}
			line = nl ? nl + 1 : NULL;
		}
	} else {
		f->vfio_virqfd_module = kver_num(f->kernel_target) < 602;
	}
	free(buf);
	free(p);
}

/* Which boot loader reads the command line next: per ESP as
 * proxmox-boot-tool's sync hook decides it (esp.c), from evidence that needs
 * no ESP mounted; which one booted now only decides what the verify compares
 * the live line with. The deciding points are reported. */
static void gather_loader(struct agent *ag)
{
	struct facts *f = &ag->facts;
	char *p, *efivar, *buf = NULL;
	size_t len = 0;

	p = node_path(ag, "/sys/firmware/efi");
	f->uefi = is_dir(p);
	free(p);
	efivar = node_path(ag, "/sys/firmware/efi/efivars/" EFI_SECURE_BOOT);
	if (read_file(efivar, 64, &buf, &len) == 0 && len >= 5)
		f->secure_boot = buf[4] == 1;
	free(buf);
	free(efivar);
	strv_push(&f->boot_evidence, f->uefi ? "booted UEFI (/sys/firmware/efi)" : "booted legacy BIOS");

	efivar = node_path(ag, "/sys/firmware/efi/efivars/" EFI_LOADER_INFO);
	if (f->uefi && path_exists(efivar)) {
		f->booted = LOADER_SYSTEMD_BOOT;
		strv_push(&f->boot_evidence, "booted by systemd-boot now: EFI variable LoaderInfo");
	} else if (!f->uefi || starts_with(f->cmdline_live, "BOOT_IMAGE=")) {
		f->booted = LOADER_GRUB;
		strv_push(&f->boot_evidence, f->uefi ? "booted by GRUB now: /proc/cmdline starts with BOOT_IMAGE="
		                                     : "booted by GRUB now: legacy BIOS");
	} else {
		f->booted = LOADER_UNKNOWN;
	}
	free(efivar);
	esp_gather(ag);
}

static void gather_iommu(struct agent *ag)
{
	struct facts *f = &ag->facts;
	char *p = node_path(ag, "/sys/class/iommu"), *buf = NULL;
	DIR *d = opendir(p);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			strv_push(&f->iommu_units, e->d_name);
	if (d)
		closedir(d);
	free(p);
	strv_sort(&f->iommu_units);
	f->iommu_active = f->iommu_units.n > 0;

	p = node_path(ag, "/proc/interrupts");
	if (read_file(p, 16 << 20, &buf, NULL) == 0 && (strstr(buf, " IR-IO-APIC") || strstr(buf, " IR-PCI-MSI"))) {
		f->irq_remapping = true;
		f->irq_remapping_evidence = xstrdup("IR- interrupt chips in /proc/interrupts");
	}
	free(buf);
	free(p);
	for (size_t i = 0; !f->irq_remapping && i < f->kernel_log.n; i++) {
		const char *l = f->kernel_log.v[i];
		if (strstr(l, "Enabled IRQ remapping") || strstr(l, "Interrupt remapping enabled")) {
			f->irq_remapping = true;
			f->irq_remapping_evidence = xasprintf("kernel log: %s", l);
		}
	}
	if (!f->irq_remapping)
		f->irq_remapping_evidence = xstrdup("no IR- chips in /proc/interrupts, no remapping line in the kernel log");
}

/* /dev/kmsg returns one record per read and EAGAIN at the end; a regular
 * file (a fixture's) returns chunks. EPIPE means records were overwritten
 * under us: the next read goes on with the oldest one left. */
static void gather_kernel_log(struct agent *ag)
{
	char *p = node_path(ag, "/dev/kmsg");
	int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct sb b;

	sb_init(&b);
	if (fd >= 0) {
		char rec[8192];
		for (;;) {
			ssize_t n = read(fd, rec, sizeof(rec));
			if (n < 0 && (errno == EINTR || errno == EPIPE))
				continue;
			if (n <= 0)
				break;
			sb_add(&b, rec, (size_t)n);
			if (b.len > (64u << 20))
				break;
		}
		close(fd);
	} else if (ag->root[0] == '\0') {
		int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
		if (size > 0) {
			char *kb = xmalloc((size_t)size);
			int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, kb, size);
			if (n > 0)
				sb_add(&b, kb, (size_t)n);
			free(kb);
		}
	}
	kmsg_iommu_lines(b.s, b.len, &ag->facts.kernel_log, MAX_LOG_LINES);
	sb_release(&b);
	free(p);
}

static void gather_modules(struct agent *ag)
{
	char *p = node_path(ag, "/proc/modules"), *buf = NULL;

	if (read_file(p, 8 << 20, &buf, NULL) == 0)
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			char *sp = strchr(line, ' ');
			if (sp)
				*sp = '\0';
			strv_push(&ag->facts.loaded_modules, line);
		}
	free(buf);
	free(p);
}

/* `pvecm status` on a cluster member: "Name:" and "Quorate: Yes|No". */
static void gather_cluster(struct agent *ag)
{
	struct facts *f = &ag->facts;
	char *conf = node_path(ag, "/etc/pve/corosync.conf"), *out, *save = NULL;

	f->cluster_member = path_exists(conf);
	free(conf);
	if (!f->cluster_member)
		return;
	out = cmd_output(ag, (const char *const[]){ "pvecm", "status", NULL }, 30);
	for (char *line = out ? strtok_r(out, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char val[256];
		if (sscanf(line, " Name: %255s", val) == 1 && !f->cluster_name)
			f->cluster_name = xstrdup(val);
		else if (sscanf(line, " Quorate: %255s", val) == 1)
			f->quorate = strcmp(val, "Yes") == 0;
	}
	free(out);
}

/* Running guests from `qm list` / `pct list`: a header line, then rows whose
 * first column is the ID and whose status column says "running". */
/* The running guests, as `qm list` and `pct list` would say, read from the
 * files those read (guests_running.c): running them costs a node about
 * 0.3 s of CPU each, in every facts run. */
static void gather_guests(struct agent *ag)
{
	guests_running(ag, ag->facts.hostname, &ag->facts.running_guests);
}

static int cmp_cstr_ceph(const void *a, const void *b)
{
	return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

/* Ceph OSDs of this node: an OSD runs from its data directory
 * /var/lib/ceph/osd/<cluster>-<id>/ (ceph src/ceph-osd-prestart.sh refuses
 * to start one without it), which holds its id in `whoami`; a Proxmox
 * cluster with Ceph has /etc/pve/ceph.conf (pveceph init). */
static void gather_ceph(struct agent *ag)
{
	char *dir = node_path(ag, "/var/lib/ceph/osd"), *conf = node_path(ag, "/etc/pve/ceph.conf");
	DIR *d = opendir(dir);
	struct dirent *e;

	ag->facts.ceph_cluster = path_exists(conf);
	free(conf);
	while (d && (e = readdir(d))) {
		char *p, *id;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s/whoami", dir, e->d_name);
		if (read_file(p, 64, &id, NULL) == 0) {
			id[strcspn(id, "\n")] = '\0';
			if (*id && strspn(id, "0123456789") == strlen(id))
				strv_push_own(&ag->facts.ceph_osds, id);
			else
				free(id);
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
	if (ag->facts.ceph_osds.n > 1)
		qsort(ag->facts.ceph_osds.v, ag->facts.ceph_osds.n, sizeof(char *), cmp_cstr_ceph);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The configured command line as the loader reading `src` will use it: the
 * first line of /etc/kernel/cmdline (systemd-boot entries) or
 * GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT of /etc/default/grub and
 * the grub.d drop-ins (GRUB). `override_path`/`override_content` stand in for
 * one file (NULL content: that file absent), so a step can evaluate what it
 * is about to write. Returns a new string, or NULL with *why set (malloc'ed). */
static char *configured_cmdline_of(struct agent *ag, enum cmdline_source src, const char *override_path,
                            const char *override_content, char **why)
{
	*why = NULL;
	if (src == SRC_KERNEL_CMDLINE) {
		char *buf = NULL;
		if (override_path && strcmp(override_path, "/etc/kernel/cmdline") == 0) {
			buf = xstrdup(override_content ? override_content : "");
		} else {
			char *p = node_path(ag, "/etc/kernel/cmdline");
			int r = read_file(p, 1 << 20, &buf, NULL);
			free(p);
			if (r < 0) {
				*why = xasprintf("cannot read '/etc/kernel/cmdline': %s", strerror(errno));
				return NULL;
			}
		}
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		struct strv t = { 0 };
		cmdline_split(buf, &t);
		char *line = cmdline_join(&t);
		strv_release(&t);
		free(buf);
		return line;
	}

	struct grub_override ov = { override_path, override_content };
	return grub_cmdline(ag, override_path ? &ov : NULL, override_path ? 1 : 0, why);
}

static const struct grub_override *find_override(const struct grub_override *ov, size_t nov, const char *path)
{
	for (size_t i = 0; i < nov; i++)
		if (strcmp(ov[i].path, path) == 0)
			return &ov[i];
	return NULL;
}

/* Evaluates /etc/default/grub and the grub.d drop-ins in update-grub's order into
 * *v (always initialised; the caller releases it), with `ov` standing in for
 * their files. Returns 0, or -1 with *why (malloc'ed) when a file cannot be read. */
static int grub_evaluate(struct agent *ag, const struct grub_override *ov, size_t nov, struct grub_vars *v, char **why)
{
	struct strv files = { 0 };
	char *dir = node_path(ag, "/etc/default/grub.d");
	DIR *d = opendir(dir);
	struct dirent *e;

	*why = NULL;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".cfg") == 0)
			strv_push_own(&files, xasprintf("/etc/default/grub.d/%s", e->d_name));
	}
	if (d)
		closedir(d);
	free(dir);
	for (size_t i = 0; i < nov; i++)
		if (ov[i].content && starts_with(ov[i].path, "/etc/default/grub.d/") && !strv_has(&files, ov[i].path))
			strv_push(&files, ov[i].path);
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(*files.v), cmp_cstr);

	grub_vars_init(v);
	for (size_t i = 0; i <= files.n; i++) {
		const char *path = i == 0 ? "/etc/default/grub" : files.v[i - 1];
		const struct grub_override *o = find_override(ov, nov, path);
		char *text = NULL;
		if (o) {
			if (!o->content)
				continue;
			text = xstrdup(o->content);
		} else {
			char *p = node_path(ag, path);
			int r = read_file(p, 1 << 20, &text, NULL);
			free(p);
			if (r < 0) {
				if (i == 0 && errno == ENOENT)
					continue;
				*why = xasprintf("cannot read '%s': %s", path, strerror(errno));
				break;
			}
		}
		grub_eval(v, text, path);
		free(text);
	}
	strv_release(&files);
	return *why ? -1 : 0;
}

char *grub_cmdline(struct agent *ag, const struct grub_override *ov, size_t nov, char **why)
{
	struct grub_vars v;
	char *line = NULL;

	if (grub_evaluate(ag, ov, nov, &v, why) == 0 && v.unevaluable)
		*why = xstrdup(v.unevaluable_why);
	if (!*why) {
		struct strv t = { 0 };
		char *joined = xasprintf("%s %s", v.linux_args, v.linux_default);
		cmdline_split(joined, &t);
		line = cmdline_join(&t);
		strv_release(&t);
		free(joined);
	}
	grub_vars_release(&v);
	return line;
}

static bool loader_token(const char *t)
{
	return starts_with(t, "BOOT_IMAGE=") || starts_with(t, "initrd=") || strcmp(t, "ro") == 0 ||
	       strcmp(t, "rw") == 0;
}

bool cmdline_matches(const char *configured, const char *live)
{
	struct strv c = { 0 }, l = { 0 };
	bool ok = true, configured_root = false;

	cmdline_split(configured, &c);
	cmdline_split(live, &l);
	for (size_t i = 0; i < c.n; i++)
		configured_root = configured_root || starts_with(c.v[i], "root=");
	for (size_t i = 0; ok && i < c.n; i++)
		if (!loader_token(c.v[i]) && !strv_has(&l, c.v[i]))
			ok = false;
	/* grub-mkconfig adds root= itself; GRUB's configured line has none */
	for (size_t i = 0; ok && i < l.n; i++)
		if (!loader_token(l.v[i]) && !(!configured_root && starts_with(l.v[i], "root=")) &&
		    !strv_has(&c, l.v[i]))
			ok = false;
	strv_release(&c);
	strv_release(&l);
	return ok;
}

/* Each source's configured line; the one the facts call "configured" (and
 * the verify compares the live line with) is the source of the loader that
 * booted now when the next boot reads it too, else the first. */
static void gather_configured(struct agent *ag)
{
	struct facts *f = &ag->facts;
	enum cmdline_source booted = f->booted == LOADER_SYSTEMD_BOOT ? SRC_KERNEL_CMDLINE
	                             : f->booted == LOADER_GRUB       ? SRC_GRUB_DEFAULTS
	                                                              : 0;

	if (f->cmdline_sources & SRC_KERNEL_CMDLINE)
		f->cmdline_kernel = configured_cmdline_of(ag, SRC_KERNEL_CMDLINE, NULL, NULL, &f->cmdline_kernel_error);
	if (f->cmdline_sources & SRC_GRUB_DEFAULTS)
		f->cmdline_grub = configured_cmdline_of(ag, SRC_GRUB_DEFAULTS, NULL, NULL, &f->cmdline_grub_error);
	f->cmdline_configured_source = (f->cmdline_sources & booted) ? booted
	                               : (f->cmdline_sources & SRC_KERNEL_CMDLINE) ? SRC_KERNEL_CMDLINE
	                                                                           : SRC_GRUB_DEFAULTS;
	if (f->cmdline_configured_source == SRC_KERNEL_CMDLINE) {
		f->cmdline_configured = f->cmdline_kernel ? xstrdup(f->cmdline_kernel) : NULL;
		f->cmdline_error = f->cmdline_kernel_error ? xstrdup(f->cmdline_kernel_error) : NULL;
	} else {
		f->cmdline_configured = f->cmdline_grub ? xstrdup(f->cmdline_grub) : NULL;
		f->cmdline_error = f->cmdline_grub_error ? xstrdup(f->cmdline_grub_error) : NULL;
	}
}

int facts_gather(struct agent *ag, char *err, size_t errlen)
{
	struct facts *f = &ag->facts;

	f->hostname = node_line(ag, "/proc/sys/kernel/hostname");
	if (!f->hostname)
		f->hostname = node_line(ag, "/etc/hostname");
	f->boot_id = node_line(ag, "/proc/sys/kernel/random/boot_id");
	f->cmdline_live = node_line(ag, "/proc/cmdline");
	if (!f->cmdline_live)
		f->cmdline_live = xstrdup("");
	gather_cpu(ag);
	gather_kernel_log(ag);
	gather_loader(ag);
	gather_kernel(ag);   /* after the loader: the loader decides what pins the kernel */
	gather_iommu(ag);
	gather_modules(ag);
	gather_cluster(ag);
	gather_guests(ag);
	gather_ceph(ag);
	gather_configured(ag);
	return pci_gather(ag, err, errlen);
}

void facts_release(struct facts *f)
{
	free(f->hostname);
	free(f->boot_id);
	strv_release(&f->boot_evidence);
	free(f->kernel_running);
	free(f->kernel_target);
	free(f->kernel_target_from);
	free(f->kernel_target_unresolved);
	free(f->kernel_after);
	strv_release(&f->kernels_installed);
	strv_release(&f->kernels_vtd_off);
	free(f->cmdline_live);
	free(f->cmdline_configured);
	free(f->cmdline_error);
	free(f->cmdline_kernel);
	free(f->cmdline_kernel_error);
	free(f->cmdline_grub);
	free(f->cmdline_grub_error);
	esps_release(f);
	strv_release(&f->iommu_units);
	free(f->irq_remapping_evidence);
	strv_release(&f->kernel_log);
	strv_release(&f->loaded_modules);
	free(f->cluster_name);
	strv_release(&f->running_guests);
	strv_release(&f->ceph_osds);
	for (size_t i = 0; i < f->ndevs; i++)
		pci_device_release(&f->devs[i]);
	free(f->devs);
}

static const char *cpu_name(enum cpu_vendor c)
{
	return c == CPU_INTEL ? "intel" : c == CPU_AMD ? "amd" : c == CPU_ZHAOXIN ? "zhaoxin" : "other";
}

/* What boots next, per ESP, and the configured line of each source it reads. */
static void boot_json(const struct facts *f, json_t *boot, json_t *cmdline)
{
	json_t *esps = json_array(), *files = json_array(), *sources = json_array();

	for (size_t i = 0; i < f->nesps; i++)
		json_array_append_new(esps, json_pack("{s:s, s:b, s:s, s:s?}", "uuid", f->esps[i].uuid, "present",
		                                      f->esps[i].present, "loader", loader_name(f->esps[i].loader),
		                                      "evidence", f->esps[i].evidence));
	if (f->cmdline_sources & SRC_KERNEL_CMDLINE) {
		json_array_append_new(files, json_string(cmdline_source_file(SRC_KERNEL_CMDLINE)));
		json_array_append_new(sources, json_pack("{s:s, s:s, s:s?, s:s?}", "file",
		                                         cmdline_source_file(SRC_KERNEL_CMDLINE), "read_by",
		                                         "systemd-boot", "configured", f->cmdline_kernel, "error",
		                                         f->cmdline_kernel_error));
	}
	if (f->cmdline_sources & SRC_GRUB_DEFAULTS) {
		json_array_append_new(files, json_string(cmdline_source_file(SRC_GRUB_DEFAULTS)));
		json_array_append_new(sources, json_pack("{s:s, s:s, s:s?, s:s?}", "file",
		                                         cmdline_source_file(SRC_GRUB_DEFAULTS), "read_by", "grub",
		                                         "configured", f->cmdline_grub, "error", f->cmdline_grub_error));
	}
	json_object_set_new(boot, "booted", json_string(loader_name(f->booted)));
	json_object_set_new(boot, "proxmox_boot_tool", json_boolean(f->pbt));
	json_object_set_new(boot, "esps", esps);
	json_object_set_new(boot, "cmdline_files", files);
	json_object_set_new(cmdline, "sources", sources);
}

json_t *facts_json(const struct agent *ag)
{
	const struct facts *f = &ag->facts;
	json_t *devs = json_array();

	for (size_t i = 0; i < f->ndevs; i++)
		json_array_append_new(devs, pci_device_json(ag, &f->devs[i]));
	json_t *o = json_pack(
		"{s:s?, s:s?, s:s, s:{s:s, s:b, s:b, s:s, s:o}, s:{s:s, s:s, s:b, s:b}, s:{s:s, s:s?, s:s?},"
		" s:{s:b, s:o, s:b, s:s}, s:o, s:o}",
		"hostname", f->hostname, "boot_id", f->boot_id, "cpu_vendor", cpu_name(f->cpu),
		"boot", "loader", loader_name(f->loader), "uefi", f->uefi, "secure_boot", f->secure_boot,
		"cmdline_file", cmdline_source_file(f->cmdline_configured_source),
		"evidence", strv_json(&f->boot_evidence),
		"kernel", "running", f->kernel_running, "target", f->kernel_target, "intel_iommu_default_on",
		f->intel_iommu_default_on, "vfio_virqfd_module", f->vfio_virqfd_module,
		"cmdline", "live", f->cmdline_live, "configured", f->cmdline_configured, "configured_error",
		f->cmdline_error,
		"iommu", "active", f->iommu_active, "units", strv_json(&f->iommu_units), "interrupt_remapping",
		f->irq_remapping, "interrupt_remapping_evidence", f->irq_remapping_evidence,
		"kernel_log", strv_json(&f->kernel_log), "devices", devs);
	boot_json(f, json_object_get(o, "boot"), json_object_get(o, "cmdline"));
	json_object_set_new(o, "cluster", json_pack("{s:b, s:s?, s:b}", "member", f->cluster_member, "name",
	                                            f->cluster_name, "quorate", f->quorate));
	json_object_set_new(o, "running_guests", strv_json(&f->running_guests));
	json_object_set_new(o, "ceph", json_pack("{s:b, s:o}", "cluster", f->ceph_cluster, "osds",
	                                         strv_json(&f->ceph_osds)));
	json_t *k = json_object_get(o, "kernel");
	json_object_set_new(k, "target_from", json_string(f->kernel_target_from));
	if (f->kernel_target_unresolved)
		json_object_set_new(k, "target_unresolved", json_string(f->kernel_target_unresolved));
	if (f->kernel_after)
		json_object_set_new(k, "after_next_boot", json_string(f->kernel_after));
	json_object_set_new(k, "installed", strv_json(&f->kernels_installed));
	json_object_set_new(k, "vtd_default_off", strv_json(&f->kernels_vtd_off));
	json_object_set_new(o, "reboot_pending",
	                    json_boolean(f->cmdline_configured && !cmdline_matches(f->cmdline_configured, f->cmdline_live)));
	return o;
}
