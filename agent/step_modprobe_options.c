/* unsafe_interrupts and ignore_msrs: one modprobe option each, in a
 * drop-in of its own that exists only while the option is wanted, and
 * orch's decision held against the admin's other files (claim.h). */
#include <string.h>

#include "claim.h"
#include "fileops.h"
#include "protocol.h"
#include "steps.h"

#define UNSAFE_LINE "options vfio_iommu_type1 allow_unsafe_interrupts=1"
#define UNSAFE_FILE "# Written by orch: this host has no interrupt remapping; vfio refuses devices without it.\n" \
                    UNSAFE_LINE "\n"
#define KVM_FILE "# Written by orch: guests that read unknown MSRs keep running.\n" \
                 "options kvm ignore_msrs=1 report_ignored_msrs=0\n"

/* Makes orch's drop-in `path` hold `content` (NULL: absent), then disables
 * the admin's lines that contradict the claim, evaluated with the drop-in
 * as it now is. A NULL claim leaves the admin's lines alone. */
static int ensure_option(struct agent *ag, struct result *r, const char *path, const char *content,
                         const struct claim *cl)
{
	const struct mp_override ov = { path, content };
	int ret = node_ensure(ag, r, path, content, NEED_INITRAMFS);

	if (ret > 0) {
		result_set(r, ORCH_CHANGED);
		r->reboot_needed = true;
	}
	if (ret >= 0 && cl)
		ret = claim_enforce(ag, r, cl, 1, &ov, 1);
	return ret < 0 ? -1 : 0;
}

int unsafe_interrupts_write(struct agent *ag, struct result *r, bool want, const char *why)
{
	const struct claim cl = { .module = "vfio_iommu_type1", .param = "allow_unsafe_interrupts",
		                  .kind = CLAIM_BOOL, .want_bool = want, .why = why };

	return ensure_option(ag, r, ORCH_MODPROBE_UNSAFE_IRQ, want ? UNSAFE_FILE : NULL, &cl);
}

int step_unsafe_interrupts(struct agent *ag, const struct step *st, struct result *r)
{
	const char *mode = arg_choice(st, "mode", "auto");
	const struct facts *f = &ag->facts;
	bool want;

	/* Without an active IOMMU the kernel sets up no interrupt remapping,
	 * so its absence proves nothing: the verify of the fresh boot, with
	 * the IOMMU on, decides (and sets the option live). */
	if (strcmp(mode, "auto") == 0 && !f->irq_remapping && !f->iommu_active) {
		result_msg(r, "IOMMU not active: no evidence of interrupt remapping either way; left as it is, "
		              "decided by the verify of the fresh boot");
		return 0;
	}
	/* it weakens isolation everywhere: only where vfio would refuse without it */
	want = strcmp(mode, "yes") == 0 || (strcmp(mode, "auto") == 0 && !f->irq_remapping);
	if (unsafe_interrupts_write(ag, r, want,
	                            want ? "vfio_iommu_type1 allow_unsafe_interrupts= is set in " ORCH_MODPROBE_UNSAFE_IRQ
	                            : strcmp(mode, "no") != 0
	                                    ? "interrupt remapping is on: allow_unsafe_interrupts=1 only weakens isolation"
	                                    : "unsafe_interrupts=no") < 0)
		return -1;
	if (want)
		result_msg(r, "allow_unsafe_interrupts=1 (%s)", strcmp(mode, "yes") == 0 ? "asked for"
		                                                : f->irq_remapping_evidence);
	else
		result_msg(r, "not needed (%s)", strcmp(mode, "no") != 0 ? f->irq_remapping_evidence : "unsafe_interrupts=no");
	return 0;
}

int step_ignore_msrs(struct agent *ag, const struct step *st, struct result *r)
{
	json_t *enable = json_object_get(st->args, "enable");
	bool want = json_is_true(enable);
	const struct claim cl = { .module = "kvm", .param = "ignore_msrs", .kind = CLAIM_BOOL, .want_bool = want,
		                  .why = want ? "kvm ignore_msrs= is set in " ORCH_MODPROBE_KVM
		                              : "the inventory sets ignore_msrs=false" };

	/* Unset: the admin's choice stands (guests may depend on it); only a
	 * file orch wrote before goes. */
	if (ensure_option(ag, r, ORCH_MODPROBE_KVM, want ? KVM_FILE : NULL, enable ? &cl : NULL) < 0)
		return -1;
	result_msg(r, !enable ? "not set in the inventory: kvm ignore_msrs left as the node has it"
	              : want  ? "kvm ignore_msrs=1"
	                      : "kvm ignore_msrs=0 (the kernel's default)");
	return 0;
}
