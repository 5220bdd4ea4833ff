/* The hosts of a run, one record each: where and how to reach the host and
 * its compiled plan (plan.h), the plan's text as it is sent, and its
 * outcome (results.h). The fleet owns them all. */
#ifndef ORCH_FLEET_H
#define ORCH_FLEET_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "plan.h"
#include "results.h"

struct inventory;

struct host {
	struct host_plan plan;     /* target, plan and selectors */
	char *plan_text;           /* plan.plan, compact, as the agent reads it */
	struct outcome outcome;
};

struct fleet {
	size_t n;
	struct host *hosts;        /* n of them, in inventory order */
};

/* Builds the fleet of the hosts of inv that --limit selects, each with its
 * plan for opts->command. Returns 0, or -1 with every error written to errf
 * as a line of its own (a bad pattern, no host selected, each host's bad
 * variable: all of them are seen at once). */
int fleet_build(struct fleet *out, const struct inventory *inv, const struct options *opts, FILE *errf);

/* Frees the hosts and their plans; outcomes are freed by results_release. */
void fleet_release(struct fleet *f);

#endif
