#include "guests.h"

#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "results.h"
#include "protocol.h"

struct guests_job {
	struct results *r;
	size_t host;
	char *plan;
	int recorded;             /* the agent sent the guests result */
};

static void
guests_line(void *ctx, const struct agent_message *m)
{
	struct guests_job *gj = ctx;

	if (m->type == ORCH_MSG_RESULT && m->name != NULL && strcmp(m->name, ORCH_STEP_GUESTS) == 0) {
		results_record_step(gj->r, gj->host, m);
		gj->recorded = 1;
	}
}

static void
guests_end(void *ctx, const struct job_end *end)
{
	struct guests_job *gj = ctx;

	if (!gj->recorded)
		results_step_status(gj->r, gj->host, ORCH_STEP_GUESTS, ORCH_FAILED, "VMs not attached: %s",
				    end->status == JOB_DONE ? "the agent sent no result" : end->err);
	free(gj->plan);
	gj->plan = NULL;
}

/* Why host h's VMs are not attached in this run, or NULL when they are. */
static const char *
not_now(const struct options *opts, const struct host *h, int rollout_stopped)
{
	const struct outcome *o = &h->outcome;

	if (o->state == HOST_FAILED || o->state == HOST_UNREACHABLE)
		return "VMs not attached: the host failed";
	if (rollout_stopped)
		return "VMs not attached: the rollout stopped";
	if (!opts->check && outcome_reboot_pending(o))
		return "VMs not attached: the node does not run the configured state yet (reboot pending)";
	return NULL;
}

/* Host h's guests step arguments, a new reference (NULL when memory runs
 * out, which json_pack then refuses). Under --check nothing is written: a
 * node whose entry the apply would write (its pci_mapping `changed`), or
 * write after the reboot it waits for (`skipped`), may have none in pci.cfg
 * yet. Its VMs are checked as the apply will find them, with the entry
 * (mapping_pending): drift, not a failure. */
static json_t *
guests_args(const struct options *opts, const struct host *h)
{
	const struct step_result *m = outcome_find(&h->outcome, ORCH_STEP_PCI_MAPPING);
	json_t *args = json_copy(h->plan.guests);

	if (args != NULL && opts->check && m != NULL && (m->status == ORCH_CHANGED || m->status == ORCH_SKIPPED) &&
	    json_object_set_new(args, "mapping_pending", json_true()) != 0) {
		json_decref(args);
		return NULL;
	}
	return args;
}

int
guests_attach(struct engine *e, const struct options *opts, struct results *r, int rollout_stopped)
{
	struct fleet *fleet = r->fleet;
	struct guests_job *jobs;
	int ran = 0;

	if (opts->command != CMD_APPLY)
		return 0;
	if ((jobs = calloc(fleet->n ? fleet->n : 1, sizeof(*jobs))) == NULL)
		return -1;
	for (size_t i = 0; i < fleet->n; i++) {
		const struct host_plan *hp = &fleet->hosts[i].plan;
		const char *why;
		json_t *plan;

		if (hp->guests == NULL)
			continue;
		if ((why = not_now(opts, &fleet->hosts[i], rollout_stopped)) != NULL) {
			results_step_status(r, i, ORCH_STEP_GUESTS, ORCH_SKIPPED, "%s", why);
			continue;
		}
		plan = json_pack("{s:i, s:O, s:O, s:O, s:O, s:[{s:s, s:o}]}", "version", ORCH_PROTOCOL_VERSION,
				 "host", json_object_get(hp->plan, "host"), "root", json_object_get(hp->plan, "root"),
				 "check", json_object_get(hp->plan, "check"), "diff", json_object_get(hp->plan, "diff"),
				 "steps", "name", ORCH_STEP_GUESTS, "args", guests_args(opts, &fleet->hosts[i]));
		jobs[i] = (struct guests_job){.r = r, .host = i};
		jobs[i].plan = plan != NULL ? json_dumps(plan, JSON_COMPACT) : NULL;
		json_decref(plan);
		struct job job = {.host = i, .plan = jobs[i].plan, .on_line = guests_line, .on_end = guests_end,
				  .ctx = &jobs[i]};
		if (jobs[i].plan == NULL || engine_submit(e, &job) != 0) {
			free(jobs[i].plan);
			jobs[i].plan = NULL;
			results_step_status(r, i, ORCH_STEP_GUESTS, ORCH_FAILED, "VMs not attached: out of memory");
			continue;
		}
		ran++;
	}
	if (ran > 0)
		engine_run(e);
	free(jobs);
	return ran;
}
