/* Rolling reboots: the seam where they plug in after an apply. This version
 * finds the nodes that need one and reports them; rebooting them in batches
 * of --serial, waiting for a new boot_id and verifying comes later. */
#ifndef ORCH_REBOOT_H
#define ORCH_REBOOT_H

#include <stddef.h>

#include "plan.h"
#include "report.h"

/* Stores in out (n entries) 1 for every host that needs a reboot and may get
 * one (its reboot var and --reboot allow it); returns how many. */
size_t reboot_candidates(const struct report *r, const struct host_plan *plans,
			 unsigned char *out);

/* Reboots the candidates in rolling batches. Returns 0, or -1 when rolling
 * reboots are not available (the report then says the reboots are pending). */
int reboot_rollout(const struct options *opts, struct report *r,
		   const struct host_plan *plans, const unsigned char *candidates);

#endif
