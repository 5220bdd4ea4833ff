#include "reboot.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "protocol.h"
#include "run.h"

/* Between tries to reach a rebooting node: short at first (a fast node is
 * back in seconds), then no more often than this. */
#define BACKOFF_FIRST_S 2
#define BACKOFF_MAX_S 15
/* How often the wait says where it stands. */
#define PROGRESS_EVERY_S 15

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

struct rollout {
	const struct options *opts;
	struct ssh_ctx *ssh;
	const struct agent_blob *agent;
	struct fleet *fleet;
	struct results *r;
	const size_t *batch;    /* host indexes of this batch */
	int *failed;            /* per batch entry */
};

static void
collect_line(void *ctx, const struct agent_message *m)
{
	json_array_append((json_t *)ctx, m->line);
}

/* A plan of `steps` for host i, in the plan's own root. */
static char *
plan_text(const struct host_plan *hp, json_t *steps)
{
	json_t *plan = json_pack("{s:i, s:O, s:O, s:o}", "version", ORCH_PROTOCOL_VERSION,
				 "host", json_object_get(hp->plan, "host"),
				 "root", json_object_get(hp->plan, "root"), "steps", steps);
	char *text = json_dumps(plan, JSON_COMPACT);

	json_decref(plan);
	return text;
}

/* Connects to host i and runs `steps` through the agent, collecting every
 * line in *lines. Returns 0 when the agent answered (its summary is the last
 * line), -1 with err when the host could not be reached or run. */
static int
run_steps(struct rollout *ro, size_t i, json_t *steps, json_t **lines, char *err, size_t errlen)
{
	const struct target *t = &ro->fleet->hosts[i].plan.target;
	struct ssh_notes notes;
	ssh_session s = NULL;
	char *text = plan_text(&ro->fleet->hosts[i].plan, steps);
	int sent = 0, status = -1, ret = -1;
	struct agent_run_opts run = {
		.plan = text, .timeout = ro->opts->timeout, .run_timeout = ro->opts->run_timeout,
		.fn = collect_line, .status = &status, .sent = &sent,
	};

	*lines = json_array();
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (orch_ssh_connect(&s, ro->ssh, t, &notes, err, errlen) != 0)
		goto out;
	run.ctx = *lines;
	ret = agent_run(s, ro->agent, t, &run, err, errlen);
out:
	orch_ssh_close(s);
	free(text);
	return ret;
}

static json_t *
find_step(json_t *lines, const char *name)
{
	size_t k;
	json_t *line;

	json_array_foreach(lines, k, line) {
		const char *n = json_string_value(json_object_get(line, "name"));

		if (n != NULL && strcmp(n, name) == 0)
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
progress(struct rollout *ro, size_t i, double waited, const char *what)
{
	pthread_mutex_lock(&ro->r->lock);
	fprintf(stderr, "[%s] waiting %.0f s of %d for %s\n", ro->fleet->hosts[i].plan.target.name, waited,
		ro->opts->reboot_timeout, what);
	fflush(stderr);
	pthread_mutex_unlock(&ro->r->lock);
}

/* What the fresh boot must show: the verify step for an apply; for a
 * rollback, only that the configured state is the live one. */
static json_t *
verify_steps(struct rollout *ro, size_t i)
{
	json_t *steps = json_pack("[{s:s}]", "name", ORCH_STEP_FACTS);

	if (ro->opts->command == CMD_APPLY && json_array_size(ro->fleet->hosts[i].plan.select) > 0) {
		json_t *args = json_pack("{s:O}", "select", ro->fleet->hosts[i].plan.select);
		json_t *plan_steps = json_object_get(ro->fleet->hosts[i].plan.plan, "steps"), *s;
		size_t k;

		/* the unsafe-interrupts decision the apply left to the fresh boot
		 * (no active IOMMU then); what it writes needs the initramfs
		 * refresh that follows */
		json_array_foreach(plan_steps, k, s) {
			const char *n = json_string_value(json_object_get(s, "name"));
			json_t *mode = json_object_get(json_object_get(s, "args"), "mode");

			if (n != NULL && strcmp(n, ORCH_STEP_UNSAFE_INTERRUPTS) == 0 && json_is_string(mode))
				json_object_set(args, "unsafe_interrupts", mode);
		}
		json_array_append_new(steps, json_pack("{s:s, s:o}", "name", ORCH_STEP_VERIFY, "args", args));
		json_array_append_new(steps, json_pack("{s:s}", "name", ORCH_STEP_REFRESH));
	}
	return steps;
}

/* Waits until host i answers with a boot_id other than old_boot, and returns
 * the lines of the verify plan run on that fresh boot, or NULL on timeout. */
static json_t *
wait_for_new_boot(struct rollout *ro, size_t i, const char *old_boot, double started, char *why,
		  size_t whylen)
{
	double next_note = started + PROGRESS_EVERY_S;
	int backoff = BACKOFF_FIRST_S;
	char err[1024] = "no answer yet";

	for (;;) {
		double waited = now() - started;
		json_t *lines = NULL;

		if (waited >= ro->opts->reboot_timeout) {
			snprintf(why, whylen, "did not come back with a new boot_id within %d s (last: %s)",
				 ro->opts->reboot_timeout, err);
			return NULL;
		}
		if (now() >= next_note) {
			char what[1200];

			snprintf(what, sizeof(what), "a new boot_id (last: %s)", err);
			progress(ro, i, waited, what);
			next_note = now() + PROGRESS_EVERY_S;
		}
		sleep((unsigned)backoff);
		backoff = backoff * 3 / 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 3 / 2;
		if (run_steps(ro, i, verify_steps(ro, i), &lines, err, sizeof(err)) == 0) {
			const char *boot = json_string_value(json_object_get(last_summary(lines), "boot_id"));

			if (boot != NULL && strcmp(boot, old_boot) != 0)
				return lines;
			snprintf(err, sizeof(err), "still boot_id %s", old_boot);
		}
		json_decref(lines);
	}
}

/* A cluster member must see quorum again before the next node goes down. */
static int
wait_for_quorum(struct rollout *ro, size_t i, json_t *lines, double started, char *why, size_t whylen)
{
	json_t *cluster = json_object_get(json_object_get(find_step(lines, ORCH_STEP_FACTS), "facts"), "cluster");
	json_t *more = NULL;
	char err[1024] = "";

	if (!json_is_true(json_object_get(cluster, "member")) || json_is_true(json_object_get(cluster, "quorate")))
		return 0;
	for (;;) {
		double waited = now() - started;

		if (waited >= ro->opts->reboot_timeout) {
			snprintf(why, whylen, "cluster not quorate again within %d s%s%s", ro->opts->reboot_timeout,
				 *err ? ": " : "", err);
			return -1;
		}
		progress(ro, i, waited, "the cluster to be quorate again");
		sleep(5);
		if (run_steps(ro, i, json_pack("[{s:s}]", "name", ORCH_STEP_FACTS), &more, err, sizeof(err)) == 0) {
			cluster = json_object_get(json_object_get(find_step(more, ORCH_STEP_FACTS), "facts"),
						  "cluster");
			if (json_is_true(json_object_get(cluster, "quorate"))) {
				json_decref(more);
				return 0;
			}
		}
		json_decref(more);
		more = NULL;
	}
}


/* A result line collected from the agent (decoded when it came, so it
 * decodes again). */
static struct agent_message
decoded(json_t *line)
{
	struct agent_message m;
	char err[256];

	if (agent_message_decode(&m, line, err, sizeof(err)) != 0)
		m.status = ORCH_FAILED;   /* not reached: the reader took only messages */
	return m;
}

/* Records an agent's result line for host i; returns whether it failed. */
static int
record_agent_step(struct rollout *ro, size_t i, json_t *line)
{
	struct agent_message m = decoded(line);

	results_record_step(ro->r, i, &m);
	return m.status == ORCH_FAILED;
}

/* One node: reboot, wait, verify. Sets ro->failed[b] when it did not end well. */
static void
reboot_host(void *vro, size_t b)
{
	struct rollout *ro = vro;
	size_t i = ro->batch[b];
	json_t *lines = NULL, *steps, *res;
	char err[1024], why[1400], *old_boot = NULL;
	const char *boot;
	double started = now();
	int failed = 0;

	steps = json_array();
	if (ro->opts->maintenance)
		json_array_append_new(steps, json_pack("{s:s, s:{s:b}}", "name", ORCH_STEP_MAINTENANCE, "args",
						       "enable", 1));
	json_array_append_new(steps, json_pack("{s:s, s:{s:b}}", "name", ORCH_STEP_REBOOT, "args", "allow_guests",
					       ro->opts->allow_guest_shutdown || ro->opts->maintenance));
	if (run_steps(ro, i, steps, &lines, err, sizeof(err)) != 0) {
		results_step_status(ro->r, i, ORCH_STEP_REBOOT, ORCH_FAILED, "cannot start the reboot: %s", err);
		goto failed;
	}
	if ((res = find_step(lines, ORCH_STEP_MAINTENANCE)) != NULL)
		record_agent_step(ro, i, res);
	res = find_step(lines, ORCH_STEP_REBOOT);
	boot = json_string_value(json_object_get(last_summary(lines), "boot_id"));
	if (res == NULL || decoded(res).status != ORCH_CHANGED || boot == NULL) {
		if (res != NULL)
			record_agent_step(ro, i, res);
		else
			results_step_status(ro->r, i, ORCH_STEP_REBOOT, ORCH_FAILED,
					   "the agent did not start the reboot");
		goto failed;
	}
	old_boot = strdup(boot);
	json_decref(lines);
	lines = old_boot ? wait_for_new_boot(ro, i, old_boot, started, why, sizeof(why)) : NULL;
	if (lines == NULL) {
		results_step_status(ro->r, i, ORCH_STEP_REBOOT, ORCH_FAILED, "%s",
				   old_boot ? why : "out of memory");
		goto failed;
	}
	results_step_status(ro->r, i, ORCH_STEP_REBOOT, ORCH_CHANGED,
			   "back after %.0f s, boot_id %.8s… -> %.8s…", now() - started, old_boot,
			   json_string_value(json_object_get(last_summary(lines), "boot_id")));

	if ((res = find_step(lines, ORCH_STEP_VERIFY)) != NULL) {
		failed |= record_agent_step(ro, i, res);
	} else if (json_is_true(json_object_get(last_summary(lines), "reboot_pending"))) {
		results_step_status(ro->r, i, ORCH_STEP_VERIFY, ORCH_FAILED,
				   "the fresh boot still differs from the configured state (was the boot "
				   "configuration refreshed?)");
		failed = 1;
	} else {
		results_step_status(ro->r, i, ORCH_STEP_VERIFY, ORCH_OK, "the fresh boot runs the configured state");
	}
	if (wait_for_quorum(ro, i, lines, started, why, sizeof(why)) != 0) {
		results_step_status(ro->r, i, "quorum", ORCH_FAILED, "%s", why);
		failed = 1;
	}
	if (ro->opts->maintenance) {
		json_t *more = NULL;

		err[0] = '\0';
		run_steps(ro, i, json_pack("[{s:s, s:{s:b}}]", "name", ORCH_STEP_MAINTENANCE, "args", "enable", 0),
			  &more, err, sizeof(err));
		if ((res = find_step(more, ORCH_STEP_MAINTENANCE)) != NULL) {
			failed |= record_agent_step(ro, i, res);
		} else {
			results_step_status(ro->r, i, ORCH_STEP_MAINTENANCE, ORCH_FAILED,
					   "cannot leave maintenance mode: %s", err);
			failed = 1;
		}
		json_decref(more);
	}
	if (!failed)
		goto out;
failed:
	ro->failed[b] = 1;
out:
	json_decref(lines);
	free(old_boot);
}

int
reboot_rollout(const struct options *opts, struct results *r, struct ssh_ctx *ssh,
	       const struct agent_blob *agent, const unsigned char *candidates)
{
	struct fleet *fleet = r->fleet;
	size_t n = 0, done = 0, size, batches = 0;
	size_t *order = calloc(fleet->n ? fleet->n : 1, sizeof(*order));
	int *failed = calloc(fleet->n ? fleet->n : 1, sizeof(*failed));
	int ret = 0;

	if (order == NULL || failed == NULL) {
		free(order);
		free(failed);
		return -1;
	}
	for (size_t i = 0; i < fleet->n; i++)
		if (candidates[i])
			order[n++] = i;
	size = reboot_batch_size(opts, n);
	while (done < n) {
		size_t count = n - done < size ? n - done : size, nfailed = 0;
		struct rollout ro = { opts, ssh, agent, fleet, r, order + done, failed + done };

		batches++;
		pool_run(count, (int)count, reboot_host, &ro);
		for (size_t b = 0; b < count; b++)
			nfailed += failed[done + b] != 0;
		done += count;
		if (nfailed * 100 > (size_t)opts->max_fail_percentage * count && done < n) {
			for (size_t k = done; k < n; k++)
				results_step_status(r, order[k], ORCH_STEP_REBOOT, ORCH_SKIPPED,
						    "not rebooted: the rollout stopped after batch %zu, where %zu of %zu "
						    "failed (--max-fail-percentage %d)", batches, nfailed, count,
						    opts->max_fail_percentage);
			ret = -1;
			break;
		}
	}
	free(order);
	free(failed);
	return ret;
}
