/* verify: on a fresh boot, is passthrough in effect? IOMMU active, each
 * selected device on vfio-pci in an isolated group, and the live command
 * line the configured one. Reads facts only; changes nothing. */
#include <string.h>

#include "cmdline.h"
#include "facts.h"
#include "steps.h"

int step_verify(struct agent *ag, const struct step *st, struct result *r)
{
	struct facts *f = &ag->facts;
	int problems = 0;

	if (selection_resolve(ag, json_object_get(st->args, "select"), r) < 0)
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
		strv_release(&c);
		strv_release(&l);
	}
	if (problems)
		return -1;
	result_msg(r, "IOMMU on (%zu unit%s), %zu device%s on vfio-pci, groups isolated, command line live",
	           f->iommu_units.n, f->iommu_units.n == 1 ? "" : "s", ag->nsel, ag->nsel == 1 ? "" : "s");
	return 0;
}
