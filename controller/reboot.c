#include "reboot.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

/* Between tries to reach a rebooting node: short at first (a fast node is
 * back in seconds), then no more often than this. */
#define BACKOFF_FIRST_S 2
#define BACKOFF_MAX_S 15
/* How often the wait says where it stands. */
#define PROGRESS_EVERY_S 15
/* Between asks whether the cluster is quorate again. */
#define QUORUM_EVERY_S 5

size_t
reboot_candidates(const struct fleet *f, const struct options *opts, unsigned char *out)
{
	size_t count = 0;

	for (size_t i = 0; i < f->n; i++) {
		out[i] = !f->hosts[i].plan.target.reboot_never && opts->reboot == REBOOT_AUTO && !opts->check &&
			 outcome_reboot_pending(&f->hosts[i].outcome);
		count += out[i];
	}
	return count;
}

/* The size of a batch for `candidates` hosts: --serial N, or N% of them
 * (at least one). */
static size_t
reboot_batch_size(const struct options *opts, size_t candidates)
{
	size_t n;

	if (opts->serial_percent)
		n = (candidates * (size_t)opts->serial) / 100;
	else
		n = (size_t)opts->serial;
	return n < 1 ? 1 : n;
}

/*
 * Each node of a batch goes through these phases, each a job on the engine
 * or a timer, never a thread: reboot (with maintenance mode first when
 * asked), wait for a new boot_id (the verify plan, tried again with a
 * growing pause until it answers from a fresh boot), wait for quorum, leave
 * maintenance mode. A batch is done when each of its nodes is.
 */
struct rollout;

struct node {
	struct rollout *ro;
	size_t host;
	double started, next_note;
	int backoff;
	char *old_boot;
	json_t *lines;          /* the lines of the job in flight */
	char *plan;             /* the plan of the job in flight */
	char err[1024];         /* why the last try failed */
	int failed;
	void (*then)(struct node *n, int answered);  /* what the job's end leads to */
};

struct rollout {
	const struct options *opts;
	struct engine *engine;
	struct results *r;
	struct node *nodes;     /* one per candidate, in inventory order */
	size_t n, done, batch_end, batches, running;
	int stopped;
};

static void node_done(struct node *n);
static void batch_done(struct rollout *ro);

static void
collect_line(void *ctx, const struct agent_message *m)
{
	struct node *n = ctx;

	json_array_append(n->lines, m->line);
}

static void
job_ended(void *ctx, const struct job_end *end)
{
	struct node *n = ctx;

	free(n->plan);
	n->plan = NULL;
	if (end->status != JOB_DONE)
		snprintf(n->err, sizeof(n->err), "%s", end->err);
	n->then(n, end->status == JOB_DONE);
}

/* Runs `steps` (taken) on n's node through the agent, in the plan's own
 * root; then(n, answered) follows with the lines in n->lines. */
static void
run_steps(struct node *n, json_t *steps, void (*then)(struct node *n, int answered))
{
	const struct host_plan *hp = &n->ro->r->fleet->hosts[n->host].plan;
	json_t *plan = json_pack("{s:i, s:O, s:O, s:o}", "version", ORCH_PROTOCOL_VERSION,
				 "host", json_object_get(hp->plan, "host"),
				 "root", json_object_get(hp->plan, "root"), "steps", steps);
	struct job job = {.host = n->host, .on_line = collect_line, .on_end = job_ended, .ctx = n};

	json_decref(n->lines);
	n->lines = json_array();
	n->then = then;
	n->plan = plan != NULL ? json_dumps(plan, JSON_COMPACT) : NULL;
	json_decref(plan);
	job.plan = n->plan;
	if (n->plan == NULL || n->lines == NULL || engine_submit(n->ro->engine, &job) != 0) {
		free(n->plan);
		n->plan = NULL;
		snprintf(n->err, sizeof(n->err), "out of memory");
		then(n, 0);
	}
}

/* Calls then(n) after `seconds`. */
static void
later(struct node *n, double seconds, void (*then)(void *n))
{
	if (engine_at(n->ro->engine, now() + seconds, then, n) != 0) {
		snprintf(n->err, sizeof(n->err), "out of memory");
		n->failed = 1;
		node_done(n);
	}
}

static json_t *
find_step(json_t *lines, const char *name)
{
	size_t k;
	json_t *line;

	json_array_foreach(lines, k, line) {
		const char *s = json_string_value(json_object_get(line, "name"));

		if (s != NULL && strcmp(s, name) == 0)
			return line;
	}
	return NULL;
}

static json_t *
last_summary(json_t *lines)
{
	json_t *last = json_array_get(lines, json_array_size(lines) - 1);
	enum orch_message type;

	return orch_message_parse(json_string_value(json_object_get(last, "type")), &type) == 0 &&
	       type == ORCH_MSG_SUMMARY ? last : NULL;
}

static void
progress(struct node *n, const char *what)
{
	fprintf(stderr, "[%s] waiting %.0f s of %d for %s\n", n->ro->r->fleet->hosts[n->host].plan.target.name,
		now() - n->started, n->ro->opts->reboot_timeout, what);
	fflush(stderr);
}

/* A result line collected from the agent (decoded when it came, so it
 * decodes again). */
static struct agent_message
decoded(json_t *line)
{
	struct agent_message m;
	char err[256];

	if (agent_message_decode(&m, line, err, sizeof(err)) != 0)
		m.status = ORCH_FAILED;   /* not reached: the engine took only messages */
	return m;
}

/* Records an agent's result line for n's host; returns whether it failed. */
static int
record_agent_step(struct node *n, json_t *line)
{
	struct agent_message m = decoded(line);

	results_record_step(n->ro->r, n->host, &m);
	return m.status == ORCH_FAILED;
}

/* What the fresh boot must show: the verify step for an apply; for a
 * rollback, only that the configured state is the live one. */
static json_t *
verify_steps(struct node *n)
{
	const struct host_plan *hp = &n->ro->r->fleet->hosts[n->host].plan;
	json_t *steps = json_pack("[{s:s}]", "name", ORCH_STEP_FACTS);

	if (n->ro->opts->command == CMD_APPLY && json_array_size(hp->select) > 0) {
		json_t *args = json_pack("{s:O}", "select", hp->select);
		json_t *plan_steps = json_object_get(hp->plan, "steps"), *s;
		size_t k;

		/* the unsafe-interrupts decision the apply left to the fresh boot
		 * (no active IOMMU then); what it writes needs the initramfs
		 * refresh that follows */
		json_array_foreach(plan_steps, k, s) {
			const char *name = json_string_value(json_object_get(s, "name"));
			json_t *mode = json_object_get(json_object_get(s, "args"), "mode");

			if (name != NULL && strcmp(name, ORCH_STEP_UNSAFE_INTERRUPTS) == 0 && json_is_string(mode))
				json_object_set(args, "unsafe_interrupts", mode);
		}
		json_array_append_new(steps, json_pack("{s:s, s:o}", "name", ORCH_STEP_VERIFY, "args", args));
		json_array_append_new(steps, json_pack("{s:s}", "name", ORCH_STEP_REFRESH));
	}
	return steps;
}

/* ---------------------------------------------------------- maintenance */

static void
maintenance_left(struct node *n, int answered)
{
	json_t *res = find_step(n->lines, ORCH_STEP_MAINTENANCE);

	(void)answered;
	if (res != NULL) {
		n->failed |= record_agent_step(n, res);
	} else {
		results_step_status(n->ro->r, n->host, ORCH_STEP_MAINTENANCE, ORCH_FAILED,
				    "cannot leave maintenance mode: %s", answered ? "" : n->err);
		n->failed = 1;
	}
	node_done(n);
}

static void
leave_maintenance(struct node *n)
{
	if (!n->ro->opts->maintenance) {
		node_done(n);
		return;
	}
	n->err[0] = '\0';
	run_steps(n, json_pack("[{s:s, s:{s:b}}]", "name", ORCH_STEP_MAINTENANCE, "args", "enable", 0),
		  maintenance_left);
}

/* --------------------------------------------------------------- quorum */

static void ask_quorum(void *vn);

/* A cluster member must see quorum again before the next node goes down. */
static void
wait_for_quorum(struct node *n)
{
	double waited = now() - n->started;

	if (waited >= n->ro->opts->reboot_timeout) {
		results_step_status(n->ro->r, n->host, "quorum", ORCH_FAILED, "cluster not quorate again within %d s%s%s",
				    n->ro->opts->reboot_timeout, n->err[0] ? ": " : "", n->err);
		n->failed = 1;
		leave_maintenance(n);
		return;
	}
	progress(n, "the cluster to be quorate again");
	later(n, QUORUM_EVERY_S, ask_quorum);
}

static int
quorate(json_t *lines, int *member)
{
	json_t *cluster = json_object_get(json_object_get(find_step(lines, ORCH_STEP_FACTS), "facts"), "cluster");

	*member = json_is_true(json_object_get(cluster, "member"));
	return json_is_true(json_object_get(cluster, "quorate"));
}

static void
quorum_answered(struct node *n, int answered)
{
	int member;

	if (answered && quorate(n->lines, &member)) {
		leave_maintenance(n);
		return;
	}
	if (answered)
		n->err[0] = '\0';
	wait_for_quorum(n);
}

static void
ask_quorum(void *vn)
{
	struct node *n = vn;

	run_steps(n, json_pack("[{s:s}]", "name", ORCH_STEP_FACTS), quorum_answered);
}

/* ------------------------------------------------------------ fresh boot */

static void try_verify(void *vn);

/* The node answered from a fresh boot with n->lines: record the reboot and
 * what the verify found. */
static void
verified(struct node *n)
{
	json_t *res, *summary = last_summary(n->lines);
	int member;

	results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_CHANGED,
			    "back after %.0f s, boot_id %.8s… -> %.8s…", now() - n->started, n->old_boot,
			    json_string_value(json_object_get(summary, "boot_id")));
	if ((res = find_step(n->lines, ORCH_STEP_VERIFY)) != NULL) {
		n->failed |= record_agent_step(n, res);
	} else if (json_is_true(json_object_get(summary, "reboot_pending"))) {
		results_step_status(n->ro->r, n->host, ORCH_STEP_VERIFY, ORCH_FAILED,
				    "the fresh boot still differs from the configured state (was the boot "
				    "configuration refreshed?)");
		n->failed = 1;
	} else {
		results_step_status(n->ro->r, n->host, ORCH_STEP_VERIFY, ORCH_OK,
				    "the fresh boot runs the configured state");
	}
	n->err[0] = '\0';
	if (!quorate(n->lines, &member) && member)
		wait_for_quorum(n);
	else
		leave_maintenance(n);
}

/* Waits (a timer) before the next try to reach the node, or gives up. */
static void
wait_for_new_boot(struct node *n)
{
	double waited = now() - n->started;
	int pause = n->backoff;

	if (waited >= n->ro->opts->reboot_timeout) {
		results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED,
				    "did not come back with a new boot_id within %d s (last: %s)",
				    n->ro->opts->reboot_timeout, n->err);
		n->failed = 1;
		node_done(n);
		return;
	}
	if (now() >= n->next_note) {
		char what[1200];

		snprintf(what, sizeof(what), "a new boot_id (last: %s)", n->err);
		progress(n, what);
		n->next_note = now() + PROGRESS_EVERY_S;
	}
	n->backoff = n->backoff * 3 / 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : n->backoff * 3 / 2;
	later(n, pause, try_verify);
}

static void
verify_answered(struct node *n, int answered)
{
	const char *boot = json_string_value(json_object_get(last_summary(n->lines), "boot_id"));

	if (answered && boot != NULL && strcmp(boot, n->old_boot) != 0) {
		verified(n);
		return;
	}
	if (answered)
		snprintf(n->err, sizeof(n->err), "still boot_id %s", n->old_boot);
	wait_for_new_boot(n);
}

static void
try_verify(void *vn)
{
	struct node *n = vn;

	run_steps(n, verify_steps(n), verify_answered);
}

/* --------------------------------------------------------------- reboot */

static void
reboot_started(struct node *n, int answered)
{
	json_t *res;
	const char *boot;

	if (!answered) {
		results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED, "cannot start the reboot: %s",
				    n->err);
		n->failed = 1;
		node_done(n);
		return;
	}
	if ((res = find_step(n->lines, ORCH_STEP_MAINTENANCE)) != NULL)
		record_agent_step(n, res);
	res = find_step(n->lines, ORCH_STEP_REBOOT);
	boot = json_string_value(json_object_get(last_summary(n->lines), "boot_id"));
	if (res == NULL || decoded(res).status != ORCH_CHANGED || boot == NULL) {
		if (res != NULL)
			record_agent_step(n, res);
		else
			results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED,
					    "the agent did not start the reboot");
		n->failed = 1;
		node_done(n);
		return;
	}
	if ((n->old_boot = strdup(boot)) == NULL) {
		results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED, "out of memory");
		n->failed = 1;
		node_done(n);
		return;
	}
	snprintf(n->err, sizeof(n->err), "no answer yet");
	wait_for_new_boot(n);
}

static void
reboot_node(struct node *n)
{
	const struct options *opts = n->ro->opts;
	json_t *steps = json_array();

	n->started = now();
	n->next_note = n->started + PROGRESS_EVERY_S;
	n->backoff = BACKOFF_FIRST_S;
	if (opts->maintenance)
		json_array_append_new(steps, json_pack("{s:s, s:{s:b}}", "name", ORCH_STEP_MAINTENANCE, "args",
						       "enable", 1));
	json_array_append_new(steps, json_pack("{s:s, s:{s:b}}", "name", ORCH_STEP_REBOOT, "args", "allow_guests",
					       opts->allow_guest_shutdown || opts->maintenance));
	run_steps(n, steps, reboot_started);
}

/* ---------------------------------------------------------------- batches */

static void
start_batch(struct rollout *ro)
{
	size_t size = reboot_batch_size(ro->opts, ro->n);

	ro->batch_end = ro->done + size < ro->n ? ro->done + size : ro->n;
	ro->batches++;
	/* one more than the batch until every node of it has started: a node
	 * that fails at once must not end the batch under the loop */
	ro->running = ro->batch_end - ro->done + 1;
	for (size_t k = ro->done; k < ro->batch_end; k++)
		reboot_node(&ro->nodes[k]);
	if (--ro->running == 0)
		batch_done(ro);
}

/* The batch is done: go on to the next, or stop the rollout when more of
 * it failed than --max-fail-percentage. */
static void
batch_done(struct rollout *ro)
{
	size_t count = ro->batch_end - ro->done, nfailed = 0;

	for (size_t k = ro->done; k < ro->batch_end; k++)
		nfailed += ro->nodes[k].failed != 0;
	ro->done = ro->batch_end;
	if (ro->done == ro->n)
		return;
	if (nfailed * 100 > (size_t)ro->opts->max_fail_percentage * count) {
		for (size_t k = ro->done; k < ro->n; k++)
			results_step_status(ro->r, ro->nodes[k].host, ORCH_STEP_REBOOT, ORCH_SKIPPED,
					    "not rebooted: the rollout stopped after batch %zu, where %zu of %zu "
					    "failed (--max-fail-percentage %d)", ro->batches, nfailed, count,
					    ro->opts->max_fail_percentage);
		ro->stopped = 1;
		return;
	}
	start_batch(ro);
}

static void
node_done(struct node *n)
{
	json_decref(n->lines);
	n->lines = NULL;
	if (--n->ro->running == 0)
		batch_done(n->ro);
}

int
reboot_rollout(struct engine *engine, const struct options *opts, struct results *r, const unsigned char *candidates)
{
	struct fleet *fleet = r->fleet;
	struct rollout ro = {.opts = opts, .engine = engine, .r = r};
	int ret;

	if ((ro.nodes = calloc(fleet->n ? fleet->n : 1, sizeof(*ro.nodes))) == NULL)
		return -1;
	for (size_t i = 0; i < fleet->n; i++) {
		if (candidates[i])
			ro.nodes[ro.n++] = (struct node){.ro = &ro, .host = i};
	}
	if (ro.n > 0) {
		start_batch(&ro);
		engine_run(engine);
	}
	ret = ro.stopped ? -1 : 0;
	for (size_t k = 0; k < ro.n; k++) {
		free(ro.nodes[k].old_boot);
		json_decref(ro.nodes[k].lines);
	}
	free(ro.nodes);
	return ret;
}
