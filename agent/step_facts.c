/* facts: report what was gathered at the start of the run. */
#include "claim.h"
#include "facts.h"
#include "steps.h"

int step_facts(struct agent *ag, const struct step *st, struct result *r)
{
	const struct facts *f = &ag->facts;

	(void)st;
	r->facts = facts_json(ag);
	json_object_set_new(r->facts, "modprobe", claim_facts(ag));
	result_msg(r, "%s, kernel %s, IOMMU %s, interrupt remapping %s, %zu PCI devices", loader_name(f->loader),
	           f->kernel_running, f->iommu_active ? "on" : "off", f->irq_remapping ? "on" : "off", f->ndevs);
	return 0;
}
