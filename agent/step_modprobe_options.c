/* unsafe_interrupts and ignore_msrs: one modprobe option each, in a
 * drop-in of its own that exists only while the option is wanted. */
#include <string.h>

#include "fileops.h"
#include "protocol.h"
#include "steps.h"

static int ensure_option(struct agent *ag, struct result *r, const char *path, const char *line, bool want,
                         const char *why)
{
	char content[512];
	int ret;

	snprintf(content, sizeof(content), "# Written by orch: %s\n%s\n", why, line);
	ret = node_ensure(ag, r, path, want ? content : NULL, NEED_INITRAMFS);
	if (ret > 0) {
		result_set(r, ST_CHANGED);
		r->reboot_needed = true;
	}
	return ret < 0 ? -1 : 0;
}

int step_unsafe_interrupts(struct agent *ag, const struct step *st, struct result *r)
{
	const char *mode = arg_choice(st, "mode", "auto");
	/* it weakens isolation everywhere: only where vfio would refuse without it */
	bool want = strcmp(mode, "yes") == 0 || (strcmp(mode, "auto") == 0 && !ag->facts.irq_remapping);

	if (ensure_option(ag, r, ORCH_MODPROBE_UNSAFE_IRQ, "options vfio_iommu_type1 allow_unsafe_interrupts=1", want,
	                  "this host has no interrupt remapping; vfio refuses devices without it.") < 0)
		return -1;
	if (want)
		result_msg(r, "allow_unsafe_interrupts=1 (%s)", strcmp(mode, "yes") == 0 ? "asked for"
		                                                : ag->facts.irq_remapping_evidence);
	else
		result_msg(r, "not needed (%s)", ag->facts.irq_remapping ? ag->facts.irq_remapping_evidence
		                                                          : "unsafe_interrupts=no");
	return 0;
}

int step_ignore_msrs(struct agent *ag, const struct step *st, struct result *r)
{
	bool want = arg_bool(st, "enable", false);

	if (ensure_option(ag, r, ORCH_MODPROBE_KVM, "options kvm ignore_msrs=1 report_ignored_msrs=0", want,
	                  "guests that read unknown MSRs keep running.") < 0)
		return -1;
	result_msg(r, want ? "kvm ignore_msrs=1" : "not requested");
	return 0;
}
