#include "reboot.h"

#include <string.h>

size_t
reboot_candidates(const struct report *r, const struct host_plan *plans, unsigned char *out)
{
	size_t count = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct host_report *h = &r->hosts[i];

		out[i] = h->state == HOST_DONE && !plans[i].target.reboot_never &&
			 r->opts->reboot == REBOOT_AUTO && !r->opts->check &&
			 json_is_true(json_object_get(h->summary, "reboot_pending"));
		count += out[i];
	}
	return count;
}

int
reboot_rollout(const struct options *opts, struct report *r,
	       const struct host_plan *plans, const unsigned char *candidates)
{
	(void)opts;
	(void)r;
	(void)plans;
	(void)candidates;
	return -1;
}
