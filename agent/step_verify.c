/* verify: on a fresh boot, is passthrough in effect? IOMMU active, each
 * selected device on vfio-pci in an isolated group, the live command
 * line the configured one, and each device usable through VFIO as QEMU
 * opens it (vfio.c). It changes one thing: the unsafe-interrupts
 * decision that the apply could not take without an active IOMMU. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "facts.h"
#include "fileops.h"
#include "modprobe.h"
#include "protocol.h"
#include "steps.h"
#include "vfio.h"
#include <unistd.h>

#define UNSAFE_PARAM "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"

/* With the IOMMU on, the absence of interrupt remapping is now evidence:
 * vfio would refuse every device. The option goes into orch's file (for
 * the boots to come, initramfs refresh pending) and into the running
 * module, so no second reboot is needed. */
static int unsafe_interrupts_decide(struct agent *ag, const char *mode, struct result *r, bool *live_pending)
{
	const struct facts *f = &ag->facts;
	char *p, *cur;

	if (!mode || strcmp(mode, "no") == 0 || !f->iommu_active || f->irq_remapping)
		return 0;
	if (unsafe_interrupts_write(ag, r, true, "vfio_iommu_type1 allow_unsafe_interrupts= is set in "
	                                         ORCH_MODPROBE_UNSAFE_IRQ) < 0)
		return -1;
	p = node_path(ag, UNSAFE_PARAM);
	cur = read_line(p);
	if (!cur) {
		result_msg(r, "no interrupt remapping (%s): allow_unsafe_interrupts=1 written; vfio_iommu_type1 is "
		              "not loaded and takes it when it loads", f->irq_remapping_evidence);
	} else if (mp_bool(cur) == 1) {
		result_msg(r, "no interrupt remapping: allow_unsafe_interrupts is on");
	} else {
		/* a sysfs attribute: written in place, never replaced */
		int fd = ag->check ? -2 : open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
		bool ok = fd != -1;
		if (fd >= 0) {
			ok = write(fd, "1\n", 2) == 2;
			ok = close(fd) == 0 && ok;
		}
		if (!ok) {
			free(cur);
			free(p);
			return result_fail(r, "cannot set %s: %s", UNSAFE_PARAM, strerror(errno));
		}
		*live_pending = ag->check;
		result_set(r, ORCH_CHANGED);
		result_msg(r, "no interrupt remapping (%s): allow_unsafe_interrupts=1 written and %sset live in "
		              UNSAFE_PARAM, f->irq_remapping_evidence, ag->check ? "would be " : "");
	}
	free(cur);
	free(p);
	return 0;
}

/* The "holders" of a device's group: its members whose driver keeps it from
 * being viable, and those joined for a message. NULL when there are none. */
static json_t *group_holders(const struct agent *ag, int group, char **text)
{
	struct strv h = { 0 };
	json_t *a = NULL;

	*text = NULL;
	if (group >= 0 && vfio_group_holders(&h, ag->root, group) > 0) {
		a = strv_json(&h);
		*text = strv_join(&h, ", ");
	}
	strv_release(&h);
	return a;
}

/* One selected device's VFIO proof, as its entry of the result's "vfio"
 * list; fails r when the device is not usable. Under an alternate root the
 * devices are not this kernel's, and so are never opened. */
static json_t *prove_device(struct agent *ag, const struct pci_device *d, const char *not_proven, struct result *r)
{
	json_t *e = json_pack("{s:s, s:o}", "address", d->addr, "iommu_group",
	                      d->group >= 0 ? json_integer(d->group) : json_null());
	char *holders_text, *container, *group;
	json_t *holders = group_holders(ag, d->group, &holders_text);
	struct vfio_proof p;

	if (holders)
		json_object_set_new(e, "holders", holders);
	if (not_proven) {
		json_object_set_new(e, "usable", json_null());
		json_object_set_new(e, "why", json_string(not_proven));
	} else if (!d->driver || strcmp(d->driver, "vfio-pci") != 0) {
		/* the driver check above has failed it already */
		json_object_set_new(e, "usable", json_false());
		json_object_set_new(e, "step", json_string("driver"));
		json_object_set_new(e, "error", json_string("not on vfio-pci"));
	} else if (d->group < 0) {
		json_object_set_new(e, "usable", json_false());
		json_object_set_new(e, "step", json_string("iommu_group"));
		json_object_set_new(e, "error", json_string("the device has no IOMMU group"));
		result_fail(r, "%s is not usable through VFIO: it has no IOMMU group", d->addr);
	} else {
		container = node_path(ag, "/dev/vfio/vfio");
		group = node_pathf(ag, "/dev/vfio/%d", d->group);
		vfio_prove(&p, container, group, d->addr, d->vendor, d->device);
		if (p.outcome == VFIO_USABLE) {
			json_object_set_new(e, "usable", json_true());
			json_object_set_new(e, "iommu", json_string(p.iommu));
		} else if (p.outcome == VFIO_BUSY) {
			/* open elsewhere: only a vfio user can hold a group, so a
			 * guest has the device through VFIO; no fault of the node */
			struct strv users = { 0 };
			char *who;
			vfio_group_users(&users, ag->root, group);
			who = users.n ? strv_join(&users, ", ") : xstrdup("another process");
			json_object_set_new(e, "usable", json_null());
			json_object_set_new(e, "step", json_string(p.step));
			json_object_set_new(e, "why", json_sprintf("not proven: %s is open by %s (a running guest?)",
			                                           group, who));
			result_msg(r, "%s not proven usable through VFIO: %s is open by %s (a running guest?)", d->addr,
			           group, who);
			free(who);
			strv_release(&users);
		} else {
			json_object_set_new(e, "usable", json_false());
			json_object_set_new(e, "step", json_string(p.step));
			if (strcmp(p.step, "VFIO_GROUP_GET_STATUS") == 0 && holders_text) {
				json_object_set_new(e, "error", json_sprintf("group %d is not viable: %s", d->group,
				                                             holders_text));
				result_fail(r, "%s is not usable through VFIO: group %d is not viable: %s", d->addr,
				            d->group, holders_text);
			} else {
				json_object_set_new(e, "error", json_string(p.error));
				result_fail(r, "%s is not usable through VFIO: %s failed: %s", d->addr, p.step, p.error);
			}
		}
		free(container);
		free(group);
	}
	free(holders_text);
	return e;
}

int step_verify(struct agent *ag, const struct step *st, struct result *r)
{
	struct facts *f = &ag->facts;
	int problems = 0;
	bool unsafe_pending = false;
	char *not_proven = NULL;
	json_t *vfio;

	if (selection_resolve(ag, json_object_get(st->args, "select"), r) < 0)
		return -1;
	if (unsafe_interrupts_decide(ag, arg_choice(st, "unsafe_interrupts", NULL), r, &unsafe_pending) < 0)
		return -1;
	if (!f->iommu_active) {
		result_fail(r, "IOMMU not active: /sys/class/iommu is empty");
		problems++;
	}
	for (size_t i = 0; i < ag->nsel; i++) {
		const struct pci_device *d = ag->sel[i].dev;
		if (!d->driver || strcmp(d->driver, "vfio-pci") != 0) {
			result_fail(r, "%s is on %s, not vfio-pci", d->addr, d->driver ? d->driver : "no driver");
			problems++;
		}
		for (size_t k = 0; d->group >= 0 && k < f->ndevs; k++) {
			const struct pci_device *o = &f->devs[k];
			bool sel = false;
			for (size_t j = 0; j < ag->nsel; j++)
				sel = sel || ag->sel[j].dev == o;
			if (o->group == d->group && !sel && !o->bridge) {
				result_fail(r, "%s shares IOMMU group %d with %s", d->addr, d->group, o->addr);
				problems++;
			}
		}
	}
	if (!f->cmdline_configured) {
		result_fail(r, "configured command line unknown: %s", f->cmdline_error ? f->cmdline_error : "?");
		problems++;
	} else {
		struct strv c = { 0 }, l = { 0 };
		cmdline_split(f->cmdline_configured, &c);
		cmdline_split(f->cmdline_live, &l);
		/* the configured line is that of the loader that booted, when the
		 * next boot reads it too (facts.c gather_configured) */
		enum cmdline_source booted = f->booted == LOADER_SYSTEMD_BOOT ? SRC_KERNEL_CMDLINE
		                             : f->booted == LOADER_GRUB       ? SRC_GRUB_DEFAULTS
		                                                              : 0;
		const char *stray = booted && !(f->cmdline_sources & booted) ? "; the node booted a loader the ESPs no "
		                                                               "longer boot: did the firmware start "
		                                                               "the ESP proxmox-boot-tool keeps?"
		                                                             : "";
		for (size_t i = 0; i < c.n; i++) {
			if (!strv_has(&l, c.v[i]) && !starts_with(c.v[i], "BOOT_IMAGE=") && !starts_with(c.v[i], "initrd=")) {
				result_fail(r, "'%s' is configured (%s, read by %s) but not on the live command line "
				               "(was the boot configuration refreshed?%s)",
				            c.v[i], cmdline_source_file(f->cmdline_configured_source),
				            f->cmdline_configured_source == SRC_KERNEL_CMDLINE ? "systemd-boot" : "GRUB", stray);
				problems++;
			}
		}
		/* kernel_cmdline takes these out wherever they are: one still on the
		 * live line but no longer configured says the boot did not get the
		 * refreshed configuration, and an inactive IOMMU alone would not */
		const char *off_keys[] = { "iommu",
			                   f->cpu == CPU_INTEL || f->cpu == CPU_ZHAOXIN ? "intel_iommu"
			                   : f->cpu == CPU_AMD                          ? "amd_iommu"
			                                                                : NULL };
		for (size_t i = 0; i < sizeof(off_keys) / sizeof(off_keys[0]); i++) {
			if (off_keys[i] && cmdline_lists(&l, off_keys[i], "off") && !cmdline_lists(&c, off_keys[i], "off")) {
				result_fail(r, "'%s=off' is on the live command line but no longer configured (%s, read by %s) "
				               "(was the boot configuration refreshed?%s)",
				            off_keys[i], cmdline_source_file(f->cmdline_configured_source),
				            f->cmdline_configured_source == SRC_KERNEL_CMDLINE ? "systemd-boot" : "GRUB", stray);
				problems++;
			}
		}
		strv_release(&c);
		strv_release(&l);
	}
	if (*ag->root)
		not_proven = xasprintf("not proven: alternate root %s", ag->root);
	else if (unsafe_pending)
		not_proven = xstrdup("not proven in check mode: allow_unsafe_interrupts is not set live yet");
	vfio = json_array();
	for (size_t i = 0; i < ag->nsel; i++)
		json_array_append_new(vfio, prove_device(ag, ag->sel[i].dev, not_proven, r));
	r->facts = json_pack("{s:o}", "vfio", vfio);
	if (problems || r->status == ORCH_FAILED) {
		free(not_proven);
		return -1;
	}
	result_msg(r, "IOMMU on (%zu unit%s), %zu device%s on vfio-pci, groups isolated, command line live%s",
	           f->iommu_units.n, f->iommu_units.n == 1 ? "" : "s", ag->nsel, ag->nsel == 1 ? "" : "s",
	           not_proven ? "" : ", each usable through VFIO");
	if (not_proven)
		result_msg(r, "VFIO %s", not_proven);
	free(not_proven);
	return 0;
}
