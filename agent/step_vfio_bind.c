/* vfio_bind: give the selected devices to vfio-pci at boot: by ID with
 * `options vfio-pci ids=`, or by address with driver_override, set by an
 * initramfs-tools init-top script before any driver can probe, when a host
 * device shares the ID or the device's driver is built into the kernel
 * (docs/agent.md "Binding by address"). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "claim.h"
#include "fileops.h"
#include "pci.h"
#include "protocol.h"
#include "steps.h"

/* A PCI address as sysfs names it (dddd:bb:ss.f, 4 to 8 domain digits): the
 * only value from the node that goes into the script. */
static bool is_pci_address(const char *s)
{
	size_t dom = strspn(s, "0123456789abcdef");

	if (dom < 4 || dom > 8 || s[dom] != ':')
		return false;
	s += dom + 1;
	return strspn(s, "0123456789abcdef") == 2 && s[2] == ':' && strspn(s + 3, "0123456789abcdef") == 2 &&
	       s[5] == '.' && s[6] >= '0' && s[6] <= '7' && s[7] == '\0';
}

/* The init-top script for the addresses in `addrs` (validated). POSIX sh;
 * `--sysfs DIR` points it at another sysfs tree, which only a caller with
 * arguments can ask for: initramfs-tools runs init-top scripts without any,
 * and the kernel command line reaches a script as environment, never as
 * arguments. */
static char *bind_script(const struct strv *addrs)
{
	struct sb s;

	sb_init(&s);
	sb_adds(&s, "#!/bin/sh\n"
	            "# Written by orch: give these PCI devices to vfio-pci by address before any\n"
	            "# driver can take them. initramfs-tools runs init-top scripts without\n"
	            "# prerequisites in name order, and this one sorts before udev's, whose\n"
	            "# coldplug loads the drivers. driver_override lets vfio-pci alone bind a\n"
	            "# device; a driver built into the kernel has bound it already, so it is\n"
	            "# unbound here and vfio-pci takes it when it loads.\n"
	            "# Usage: orch-vfio-pci [prereqs | --sysfs DIR]\n"
	            "PREREQ=\"\"\n"
	            "case \"$1\" in\n"
	            "prereqs)\n"
	            "\techo \"$PREREQ\"\n"
	            "\texit 0\n"
	            "\t;;\n"
	            "esac\n"
	            "sys=/sys\n"
	            "kmsg=/dev/kmsg\n"
	            "if [ \"$1\" = --sysfs ] && [ -n \"$2\" ]; then\n"
	            "\tsys=$2\n"
	            "\tkmsg=/dev/null\n"
	            "fi\n"
	            "\n"
	            "log() {\n"
	            "\techo \"orch-vfio-pci: $*\" >\"$kmsg\" 2>/dev/null || true\n"
	            "}\n"
	            "\n"
	            "bind_vfio() {\n"
	            "\tdev=$sys/bus/pci/devices/$1\n"
	            "\tif [ ! -e \"$dev/driver_override\" ]; then\n"
	            "\t\tlog \"$1: no such device\"\n"
	            "\t\treturn 0\n"
	            "\tfi\n"
	            "\tif ! echo vfio-pci >\"$dev/driver_override\"; then\n"
	            "\t\tlog \"$1: cannot set driver_override\"\n"
	            "\t\treturn 0\n"
	            "\tfi\n"
	            "\tif [ -e \"$dev/driver\" ] && [ ! -e \"$sys/bus/pci/drivers/vfio-pci/$1\" ]; then\n"
	            "\t\techo \"$1\" >\"$dev/driver/unbind\" && log \"$1: unbound from its built-in driver\"\n"
	            "\tfi\n"
	            "\t# vfio-pci built in (or loaded) binds it now; else when it loads\n"
	            "\t[ -e \"$dev/driver\" ] || echo \"$1\" >\"$sys/bus/pci/drivers_probe\" 2>/dev/null\n"
	            "\tlog \"$1: driver_override=vfio-pci\"\n"
	            "\treturn 0\n"
	            "}\n"
	            "\n");
	for (size_t i = 0; i < addrs->n; i++)
		sb_addf(&s, "bind_vfio %s\n", addrs->v[i]);
	sb_adds(&s, "exit 0\n");
	return sb_detach(&s);
}

/* Whether vfio-pci gets disable_vga=1. The Proxmox documentation
 * (pve-docs qm-pci-passthrough.adoc) offers it only "using OVMF", as an
 * option that "may be possible"; qemu-server passes x-vga=on for a hostpci
 * entry marked x-vga=1 in every guest whose bios is not ovmf (PCI.pm), and
 * QEMU then needs the VGA region that disable_vga=1 makes vfio-pci hide. The
 * option is module-wide, and orch cannot know the firmware of guests not
 * yet made, so auto leaves it off. *why explains the choice (static text). */
static bool disable_vga_decide(const struct agent *ag, const char *arg, const char **why)
{
	bool vga = false;

	for (size_t i = 0; i < ag->nsel; i++)
		if (pci_is_vga(ag->sel[i].dev))
			vga = true;
	*why = NULL;
	if (strcmp(arg, "yes") == 0) {
		*why = "disable_vga=1 (disable_vga=yes): every guest of a GPU on vfio-pci must use OVMF; a SeaBIOS "
		       "guest with x-vga=1 fails to start (\"does not support requested feature x-vga\")";
		return true;
	}
	if (strcmp(arg, "auto") == 0 && vga)
		*why = "disable_vga not set: Proxmox documents it for OVMF guests only, and a SeaBIOS guest with "
		       "x-vga=1 needs the VGA region it hides (disable_vga=yes when every guest uses OVMF)";
	return false;
}

/* A true value of a Proxmox boolean option (1|on|yes|true, any case). */
static bool pve_true(const char *v)
{
	return strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 || strcasecmp(v, "yes") == 0 ||
	       strcasecmp(v, "true") == 0;
}

/* Whether a hostpci host id ("0000:01:00", "01:00", "01:00.0") names a
 * selected device. */
static bool hostpci_names_selected(const struct agent *ag, const char *id)
{
	unsigned dom = 0, bus, slot, fn = 8;
	int n = 0;

	if (sscanf(id, "%x:%x:%x%n", &dom, &bus, &slot, &n) == 3 && (id[n] == '\0' || id[n] == '.')) {
		if (id[n] == '.' && sscanf(id + n + 1, "%u", &fn) != 1)
			return false;
	} else if (dom = 0, n = 0, sscanf(id, "%x:%x%n", &bus, &slot, &n) == 2 && (id[n] == '\0' || id[n] == '.')) {
		if (id[n] == '.' && sscanf(id + n + 1, "%u", &fn) != 1)
			return false;
	} else {
		return false;
	}
	for (size_t i = 0; i < ag->nsel; i++) {
		unsigned d, b, s, f;
		if (sscanf(ag->sel[i].dev->addr, "%x:%x:%x.%x", &d, &b, &s, &f) == 4 && d == dom && b == bus &&
		    s == slot && (fn == 8 || f == fn))
			return true;
	}
	return false;
}

/* The guests of this node (qemu-server's /etc/pve/qemu-server/<vmid>.conf,
 * current configuration only) that pass a selected device as primary GPU
 * (hostpciN with x-vga=1) without OVMF: qemu-server gives them x-vga=on
 * (PCI.pm), which fails once disable_vga=1 hides the VGA region. One
 * "file:line" entry per hostpci line, in out. */
static void seabios_xvga_guests(struct agent *ag, struct strv *out)
{
	char *dir = node_path(ag, "/etc/pve/qemu-server");
	struct strv names = { 0 };
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strlen(e->d_name) > 5 &&
		    strcmp(e->d_name + strlen(e->d_name) - 5, ".conf") == 0)
			strv_push(&names, e->d_name);
	if (d)
		closedir(d);
	strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *p = xasprintf("%s/%s", dir, names.v[i]), *buf = NULL;
		struct strv hits = { 0 };
		bool ovmf = false;
		unsigned lineno = 0;

		if (read_file(p, 1 << 20, &buf, NULL) == 0) {
			for (char *line = buf, *next; line && *line; line = next) {
				char key[32], val[512];
				next = strchr(line, '\n');
				if (next)
					*next++ = '\0';
				lineno++;
				if (line[0] == '[')
					break;  /* snapshots follow: not what the guest starts with */
				if (sscanf(line, "%31[^:]: %511s", key, val) != 2)
					continue;
				if (strcmp(key, "bios") == 0) {
					ovmf = strcmp(val, "ovmf") == 0;
					continue;
				}
				if (strncmp(key, "hostpci", 7) != 0)
					continue;
				bool xvga = false, ours = false;
				char *save2 = NULL;
				for (char *opt = strtok_r(val, ",", &save2); opt; opt = strtok_r(NULL, ",", &save2)) {
					char *host = NULL;
					if (starts_with(opt, "x-vga="))
						xvga = pve_true(opt + 6);
					else if (starts_with(opt, "host="))
						host = opt + 5;
					else if (!strchr(opt, '='))
						host = opt;
					char *save3 = NULL;
					for (char *id = host ? strtok_r(host, ";", &save3) : NULL; id;
					     id = strtok_r(NULL, ";", &save3))
						if (hostpci_names_selected(ag, id))
							ours = true;
				}
				if (xvga && ours)
					strv_push_own(&hits, xasprintf("/etc/pve/qemu-server/%s:%u", names.v[i], lineno));
			}
		}
		for (size_t k = 0; !ovmf && k < hits.n; k++)
			strv_push(out, hits.v[k]);
		strv_release(&hits);
		free(buf);
		free(p);
	}
	strv_release(&names);
	free(dir);
}

/* orch owns vfio-pci's ids and disable_vga wherever they are written: a
 * line of another file that sets them otherwise is disabled (claim.h). */
static int claim_vfio_pci(struct agent *ag, struct result *r, const struct strv *ids, bool disable_vga,
                          const char *modprobe)
{
	const struct claim cl[] = {
		{ .module = "vfio-pci", .param = "ids", .kind = CLAIM_ID_SET, .want_ids = ids,
		  .why = ids->n ? "vfio-pci ids= is set in " ORCH_MODPROBE_VFIO
		                : "orch binds no device by ID: vfio-pci ids= would claim devices nobody chose" },
		{ .module = "vfio-pci", .param = "disable_vga", .kind = CLAIM_BOOL, .want_bool = disable_vga,
		  .why = disable_vga ? "vfio-pci disable_vga= is set in " ORCH_MODPROBE_VFIO
		                     : "orch decided vfio-pci disable_vga=0" },
	};
	const struct mp_override ov = { ORCH_MODPROBE_VFIO, modprobe };

	return claim_enforce(ag, r, cl, 2, &ov, 1);
}

int step_vfio_bind(struct agent *ag, const struct step *st, struct result *r)
{
	const char *dv = arg_choice(st, "disable_vga", "auto"), *dv_why;
	struct strv ids = { 0 }, addrs = { 0 }, builtin = { 0 };
	struct sb opts;
	bool disable_vga;
	char *modprobe = NULL, *script = NULL;
	int a = 0, b = 0, c = 0;

	sb_init(&opts);
	for (size_t i = 0; i < ag->nsel; i++) {
		const struct pci_device *d = ag->sel[i].dev;
		if (ag->sel[i].by_address) {
			if (!is_pci_address(d->addr)) {
				a = result_fail(r, "'%s' is not a PCI address orch can write into a boot script", d->addr);
				goto out;
			}
			strv_push(&addrs, d->addr);
			if (ag->sel[i].builtin[0])
				strv_push_own(&builtin, xasprintf("%s from %s", d->addr, ag->sel[i].builtin));
		} else {
			char id[16];
			snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
			if (!strv_has(&ids, id))
				strv_push(&ids, id);
		}
	}
	disable_vga = disable_vga_decide(ag, dv, &dv_why);
	if (disable_vga) {
		struct strv guests = { 0 };
		seabios_xvga_guests(ag, &guests);
		for (size_t i = 0; i < guests.n; i++)
			a = result_fail(r, "disable_vga=yes would keep a guest from starting: %s passes a selected device "
			                   "with x-vga=1 in a guest without OVMF (bios: ovmf), and QEMU's x-vga=on needs "
			                   "the VGA region disable_vga=1 hides", guests.v[i]);
		strv_release(&guests);
		if (a < 0)
			goto out;
	}
	if (ids.n || disable_vga) {
		sb_adds(&opts, "# Written by orch: bind the selected devices to vfio-pci at boot.\n"
		               "options vfio-pci");
		for (size_t i = 0; i < ids.n; i++)
			sb_addf(&opts, "%s%s", i ? "," : " ids=", ids.v[i]);
		if (disable_vga)
			sb_adds(&opts, " disable_vga=1");
		sb_adds(&opts, "\n");
		modprobe = opts.s;
	}
	if (addrs.n)
		script = bind_script(&addrs);
	a = node_ensure(ag, r, ORCH_MODPROBE_VFIO, modprobe, NEED_INITRAMFS);
	b = a < 0 ? -1 : node_ensure_mode(ag, r, ORCH_INITRAMFS_BIND, script, NEED_INITRAMFS, 0755);
	/* the udev rule of earlier versions set driver_override too late to matter */
	c = b < 0 ? -1 : node_ensure(ag, r, ORCH_UDEV_RULES, NULL, NEED_INITRAMFS);
	if (a > 0 || b > 0 || c > 0) {
		result_set(r, ORCH_CHANGED);
		r->reboot_needed = true;
	}
	if (a >= 0 && b >= 0 && c >= 0 && claim_vfio_pci(ag, r, &ids, disable_vga, modprobe) < 0)
		a = -1;
	if (a >= 0 && b >= 0 && c >= 0) {
		char *m;
		if (ids.n) {
			m = strv_join(&ids, ",");
			result_msg(r, "vfio-pci ids=%s", m);
			free(m);
		}
		if (addrs.n) {
			m = strv_join(&addrs, ", ");
			result_msg(r, "by address (driver_override, set in the initramfs before udev loads drivers: "
			              ORCH_INITRAMFS_BIND "): %s", m);
			free(m);
		}
		if (builtin.n) {
			m = strv_join(&builtin, ", ");
			result_msg(r, "built-in driver, which softdep and blacklist cannot keep off: the initramfs "
			              "script unbinds %s before vfio-pci loads", m);
			free(m);
		}
		if (dv_why)
			result_msg(r, "%s", dv_why);
	}
out:
	free(script);
	sb_release(&opts);
	strv_release(&ids);
	strv_release(&addrs);
	strv_release(&builtin);
	return a < 0 || b < 0 || c < 0 ? -1 : 0;
}
