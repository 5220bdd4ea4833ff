/* The plan: parsed and validated whole before the agent looks at the node. */
#ifndef ORCH_AGENT_PLAN_H
#define ORCH_AGENT_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "steps.h"

#define PLAN_MAX_BYTES (1u << 20)

struct plan {
	json_t *doc;         /* owns everything the fields below borrow */
	const char *host;
	bool check, diff;
	char *root;          /* "" for "/", else absolute without trailing '/' */
	struct step *steps;
	size_t nsteps;
};

/* Parses and validates a plan. Returns 0, or -1 with a message naming the
 * field at fault in err; *out is then untouched. */
int plan_parse(struct plan *out, const char *text, size_t len, char *err, size_t errlen);
void plan_release(struct plan *p);

#endif
