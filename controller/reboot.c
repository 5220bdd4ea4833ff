#include "reboot.h"
#include "clock.h"

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

/* Between tries to reach a rebooting node: short at first (a fast node is
 * back in seconds), then no more often than this. */
#define BACKOFF_FIRST_S 2
#define BACKOFF_MAX_S 15
/* How often the wait says where it stands. */
#define PROGRESS_EVERY_S 15
/* Between asks whether the cluster is quorate again. */
#define QUORUM_EVERY_S 5
/* Between asks whether a node's HA services have left. */
#define HA_EVERY_S 2
/* Between asks whether Ceph's health is back. */
#define CEPH_EVERY_S 3
/* The health check orch's own noout raises (ceph src/osd/OSDMap.cc,
 * OSDMap::check_health: "noout flag(s) set"). */
#define CEPH_NOOUT_CHECK "OSDMAP_FLAGS"
/* How often the rollout looks whether a signal came. */
#define SIGNAL_EVERY_S 0.2

/* SIGINT and SIGTERM seen during a rollout. A signal handler can only set a
 * flag: this one is the controller's only global, read by the rollout's
 * own timer (watch_signals). */
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t last_signal;

static void
on_signal(int sig)
{
	last_signal = sig;
	signals_seen = signals_seen + 1;
}

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
 * or a timer, never a thread: with --maintenance, enter maintenance mode and
 * wait until its HA services have left; reboot; wait for a new boot_id (the
 * verify plan, tried again with a growing pause until it answers from a
 * fresh boot), wait for quorum, leave maintenance mode. A batch is done when
 * each of its nodes is.
 *
 * A signal stops the rollout: nothing new starts (run_steps and later divert
 * every node to node_interrupted instead), a node waiting on a timer is
 * taken out of its wait at once, a job in flight ends first; then each node
 * orch put into maintenance mode leaves it, through the node or, when it is
 * down, through another member of its cluster.
 */
enum phase {
	PH_WAITING,   /* not started */
	PH_ENTER,     /* entering maintenance mode */
	PH_HA,        /* waiting for its HA services to leave */
	PH_REBOOT,    /* starting the reboot */
	PH_BOOT,      /* waiting for a new boot_id */
	PH_QUORUM,    /* waiting for quorum */
	PH_LEAVE,     /* leaving maintenance mode */
	PH_DONE,
};

struct rollout;

struct node {
	struct rollout *ro;
	size_t host;
	enum phase phase;
	double started, next_note, ha_since;
	int backoff;
	char *old_boot;
	json_t *lines;          /* the lines of the job in flight */
	char *plan;             /* the plan of the job in flight */
	char err[1024];         /* why the last try failed */
	char where[256];        /* where a signal found the node */
	int failed;
	int in_maintenance;     /* orch asked for maintenance mode and has not taken it back */
	int had_maintenance;    /* orch asked for it in this run */
	int down;               /* rebooting: ask another member */
	int interrupted;        /* cleaning up after a signal */
	int cluster;            /* the rollout's own jobs (Ceph), never diverted */
	size_t via;             /* the host that takes the node out of maintenance */
	void (*then)(struct node *n, int answered);  /* what the job's end leads to */
	void (*timer_fn)(void *n);                  /* the timer armed, or NULL */
};

/* What the rollout reads of a host's facts of this run, taken once: the
 * facts themselves stay compact in the results (results.h). */
struct ident {
	char *hostname;         /* the node's Proxmox name */
	char *cluster;          /* its cluster's name, or NULL */
	unsigned known : 1, quorate : 1, ceph : 1, osds : 1;
};

struct rollout {
	const struct options *opts;
	struct engine *engine;
	struct results *r;
	struct ident *idents;   /* one per host of the fleet */
	struct node *nodes;     /* one per candidate, in inventory order */
	size_t n, done, batch_end, batches, running;
	int stopped;
	int interrupted;        /* a signal came: start nothing new */
	int finished;           /* no batch will start any more */
	/* Ceph: set up before the first batch with a node that runs OSDs */
	struct node ceph;       /* its jobs, run on a member with Ceph */
	int ceph_started;
	int noout_by_orch;      /* orch set noout and has not unset it */
	json_t *ceph_before;    /* the health checks before the rollout */
	double ceph_since;
	void (*ceph_then)(struct rollout *ro);
};

static void node_done(struct node *n);
static void batch_done(struct rollout *ro);
static void node_interrupted(struct node *n);
static void health_interrupted(struct rollout *ro);
static void ceph_prepare(struct rollout *ro);
static void ceph_wait(struct rollout *ro, void (*then)(struct rollout *ro));
static void ceph_finish(struct rollout *ro);
static void start_batch(struct rollout *ro);
static void start_nodes(struct rollout *ro);
static int runs_osds(const struct rollout *ro, size_t host);

static const char *
host_name(const struct node *n)
{
	return n->ro->r->fleet->hosts[n->host].plan.target.name;
}

/* What a signal stops: a node's next job or wait (not its cleanup). */
static int
diverted(struct node *n)
{
	return n->ro->interrupted && !n->interrupted && !n->cluster && n->phase != PH_LEAVE && n->phase != PH_DONE;
}

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

/* Runs `steps` (taken) through the agent on host `on` (n's node or another
 * member of its cluster), in that plan's own root; then(n, answered)
 * follows with the lines in n->lines. */
static void
run_steps_on(struct node *n, size_t on, json_t *steps, void (*then)(struct node *n, int answered))
{
	const struct host_plan *hp = &n->ro->r->fleet->hosts[on].plan;
	json_t *plan;
	struct job job = {.host = on, .on_line = collect_line, .on_end = job_ended, .ctx = n};

	if (diverted(n)) {
		json_decref(steps);
		node_interrupted(n);
		return;
	}
	plan = json_pack("{s:i, s:O, s:O, s:o}", "version", ORCH_PROTOCOL_VERSION,
			 "host", json_object_get(hp->plan, "host"),
			 "root", json_object_get(hp->plan, "root"), "steps", steps);

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

static void
run_steps(struct node *n, json_t *steps, void (*then)(struct node *n, int answered))
{
	run_steps_on(n, n->host, steps, then);
}

static void
timer_fired(void *vn)
{
	struct node *n = vn;
	void (*fn)(void *n) = n->timer_fn;

	n->timer_fn = NULL;
	fn(n);
}

/* Calls then(n) after `seconds`. */
static void
later(struct node *n, double seconds, void (*then)(void *n))
{
	if (diverted(n)) {
		node_interrupted(n);
		return;
	}
	n->timer_fn = then;
	if (engine_at(n->ro->engine, now() + seconds, timer_fired, n) != 0) {
		n->timer_fn = NULL;
		snprintf(n->err, sizeof(n->err), "out of memory");
		n->failed = 1;
		node_done(n);
	}
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
progress_since(struct node *n, double since, int limit, const char *what)
{
	fprintf(stderr, "[%s] waiting %.0f s of %d for %s\n", host_name(n), now() - since, limit, what);
	fflush(stderr);
}

static void
progress(struct node *n, const char *what)
{
	progress_since(n, n->started, n->ro->opts->reboot_timeout, what);
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

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* What the rollout needs of host's facts of this run. */
static const struct ident *
ident(const struct rollout *ro, size_t host)
{
	struct ident *id = &ro->idents[host];
	const struct outcome *o = &ro->r->fleet->hosts[host].outcome;
	json_t *facts, *cluster, *ceph;

	if (id->known)
		return id;
	facts = outcome_facts(o);
	cluster = json_object_get(facts, "cluster");
	ceph = json_object_get(facts, "ceph");
	id->hostname = dup_or_null(json_string_value(json_object_get(facts, "hostname")));
	id->cluster = dup_or_null(json_string_value(json_object_get(cluster, "name")));
	id->quorate = json_is_true(json_object_get(cluster, "quorate"));
	id->ceph = json_is_true(json_object_get(ceph, "cluster"));
	id->osds = json_array_size(json_object_get(ceph, "osds")) > 0;
	id->known = 1;
	outcome_compact(o);
	return id;
}

/* The node's Proxmox name and cluster, from its facts of this run. */
static const char *
node_fact(const struct rollout *ro, size_t host, const char *key)
{
	return strcmp(key, "cluster") == 0 ? ident(ro, host)->cluster : ident(ro, host)->hostname;
}

/* Another host of n's cluster that answered in this run and is not down
 * in a reboot of its own; SIZE_MAX when there is none. */
static size_t
other_member(const struct node *n)
{
	const struct rollout *ro = n->ro;
	const char *cluster = node_fact(ro, n->host, "cluster");

	if (cluster == NULL)
		return SIZE_MAX;
	for (size_t i = 0; i < ro->r->fleet->n; i++) {
		const char *c = node_fact(ro, i, "cluster");
		int busy = 0;

		if (i == n->host || c == NULL || strcmp(c, cluster) != 0 ||
		    ro->r->fleet->hosts[i].outcome.state != HOST_DONE)
			continue;
		for (size_t k = 0; k < ro->n; k++)
			busy |= ro->nodes[k].host == i && ro->nodes[k].down;
		if (!busy)
			return i;
	}
	return SIZE_MAX;
}

/* The node is out of the rollout: say where a signal found it. */
static void
node_finished(struct node *n)
{
	node_done(n);
}

static void maintenance_left(struct node *n, int answered);

/* Asks host `via` (another member) to take n out of maintenance mode. */
static void
leave_maintenance_via(struct node *n, size_t via)
{
	const char *name = node_fact(n->ro, n->host, "hostname");

	n->via = via;
	run_steps_on(n, via, json_pack("[{s:s, s:{s:b, s:[s]}}]", "name", ORCH_STEP_MAINTENANCE, "args", "enable", 0,
				       "node", name), maintenance_left);
}

static void
maintenance_left(struct node *n, int answered)
{
	json_t *res = agent_lines_find(n->lines, ORCH_STEP_MAINTENANCE);
	const char *name = node_fact(n->ro, n->host, "hostname");
	size_t via;

	if (res != NULL && decoded(res).status != ORCH_FAILED) {
		if (n->via == n->host)
			record_agent_step(n, res);
		else
			results_step_status(n->ro->r, n->host, ORCH_STEP_MAINTENANCE, ORCH_CHANGED,
					    "HA maintenance mode disabled for %s through %s", name ? name : "?",
					    n->ro->r->fleet->hosts[n->via].plan.target.name);
		n->in_maintenance = 0;
		node_finished(n);
		return;
	}
	/* the node does not answer: any member takes the request */
	if (n->via == n->host && name != NULL && (via = other_member(n)) != SIZE_MAX) {
		leave_maintenance_via(n, via);
		return;
	}
	if (res != NULL) {
		record_agent_step(n, res);
	} else {
		results_step_status(n->ro->r, n->host, ORCH_STEP_MAINTENANCE, ORCH_FAILED,
				    "cannot leave maintenance mode: %s; run 'ha-manager crm-command node-maintenance "
				    "disable %s' on a member of its cluster", answered ? "no answer" : n->err,
				    name ? name : "NODE");
	}
	n->failed = 1;
	node_finished(n);
}

/* Takes n out of the maintenance mode orch put it in: through the node, or,
 * when it is down (or does not answer), through another member. */
static void
leave_maintenance(struct node *n)
{
	size_t via;

	if (!n->in_maintenance) {
		node_finished(n);
		return;
	}
	n->phase = PH_LEAVE;
	n->err[0] = '\0';
	if (n->down && node_fact(n->ro, n->host, "hostname") != NULL && (via = other_member(n)) != SIZE_MAX) {
		leave_maintenance_via(n, via);
		return;
	}
	n->via = n->host;
	run_steps(n, json_pack("[{s:s, s:{s:b}}]", "name", ORCH_STEP_MAINTENANCE, "args", "enable", 0),
		  maintenance_left);
}

/* ---------------------------------------------------------- HA services */

static void start_reboot(struct node *n);
static void ask_ha(void *vn);

/* "vm:100 (migrate), ct:101 (started)" */
static void
services_text(json_t *services, char *out, size_t len)
{
	size_t k, at = 0;
	json_t *s;

	out[0] = '\0';
	json_array_foreach(services, k, s) {
		int w = snprintf(out + at, len - at, "%s%s", k ? ", " : "", json_string_value(s));

		if (w < 0 || (size_t)w >= len - at)
			break;
		at += (size_t)w;
	}
}

/* The request is only queued: the node's LRM reads "maintenance mode" once
 * it took it up, and its active services migrate after that (pve-docs
 * ha-manager.adoc, Maintenance Mode: check for any active HA service left
 * on the node). */
static void
ha_answered(struct node *n, int answered)
{
	json_t *res = agent_lines_find(n->lines, ORCH_STEP_HA_SERVICES);
	json_t *facts = json_object_get(res, "facts");
	const char *lrm = json_string_value(json_object_get(facts, "lrm"));
	json_t *services = json_object_get(facts, "services");
	double waited = now() - n->ha_since;

	if (answered && res != NULL && decoded(res).status == ORCH_FAILED) {
		record_agent_step(n, res);
		n->failed = 1;
		leave_maintenance(n);
		return;
	}
	if (answered && res != NULL) {
		if (json_array_size(services) == 0 && (lrm == NULL || strncmp(lrm, "maintenance", 11) == 0)) {
			results_step_status(n->ro->r, n->host, ORCH_STEP_HA_SERVICES, ORCH_OK,
					    "no active HA service left after %.0f s (LRM: %s)", waited,
					    lrm ? lrm : "none");
			start_reboot(n);
			return;
		}
		if (json_array_size(services) == 0)
			snprintf(n->err, sizeof(n->err), "the LRM has not taken the request up (LRM: %s)", lrm);
		else
			services_text(services, n->err, sizeof(n->err));
	}
	if (waited >= n->ro->opts->maintenance_timeout) {
		results_step_status(n->ro->r, n->host, ORCH_STEP_HA_SERVICES, ORCH_FAILED,
				    "HA services still on the node after %d s: %s; not rebooted "
				    "(--maintenance-timeout)", n->ro->opts->maintenance_timeout, n->err);
		n->failed = 1;
		leave_maintenance(n);
		return;
	}
	if (now() >= n->next_note) {
		char what[1200];

		snprintf(what, sizeof(what), "its HA services to leave (%s)", n->err);
		progress_since(n, n->ha_since, n->ro->opts->maintenance_timeout, what);
		n->next_note = now() + PROGRESS_EVERY_S;
	}
	later(n, HA_EVERY_S, ask_ha);
}

static void
ask_ha(void *vn)
{
	struct node *n = vn;

	run_steps(n, json_pack("[{s:s}]", "name", ORCH_STEP_HA_SERVICES), ha_answered);
}

static void
maintenance_entered(struct node *n, int answered)
{
	json_t *res = agent_lines_find(n->lines, ORCH_STEP_MAINTENANCE);

	if (!answered || res == NULL) {
		results_step_status(n->ro->r, n->host, ORCH_STEP_MAINTENANCE, ORCH_FAILED,
				    "cannot enter maintenance mode: %s", answered ? "no answer" : n->err);
		n->failed = 1;
		leave_maintenance(n);
		return;
	}
	if (record_agent_step(n, res)) {
		n->in_maintenance = 0;
		n->failed = 1;
		node_finished(n);
		return;
	}
	n->phase = PH_HA;
	n->ha_since = now();
	n->next_note = n->ha_since + PROGRESS_EVERY_S;
	snprintf(n->err, sizeof(n->err), "no answer yet");
	/* the answer came with the request: most often the services are
	 * still there, and the next ask comes after the pause */
	ha_answered(n, 1);
}

static void
enter_maintenance(struct node *n)
{
	n->phase = PH_ENTER;
	/* from the moment it is asked: an answer lost on the way still
	 * leaves the request queued */
	n->in_maintenance = n->had_maintenance = 1;
	run_steps(n, json_pack("[{s:s, s:{s:b}}, {s:s}]", "name", ORCH_STEP_MAINTENANCE, "args", "enable", 1, "name",
			       ORCH_STEP_HA_SERVICES), maintenance_entered);
}

/* ------------------------------------------------------------ interrupt */

static const char *
signal_name(int sig)
{
	return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

/* A signal stopped n's next job or wait: record where it was, then leave
 * maintenance mode. */
static void
node_interrupted(struct node *n)
{
	const char *sig = signal_name(last_signal);
	struct results *r = n->ro->r;

	n->interrupted = 1;
	switch (n->phase) {
	case PH_ENTER:
	case PH_HA:
		snprintf(n->where, sizeof(n->where), "waited %.0f s for its HA services to leave, not rebooted",
			 n->ha_since > 0 ? now() - n->ha_since : 0.0);
		results_step_status(r, n->host, ORCH_STEP_REBOOT, ORCH_SKIPPED, "not rebooted: %s came while it %s",
				    sig, n->where);
		break;
	case PH_REBOOT:
		snprintf(n->where, sizeof(n->where), "its HA services had left, not rebooted");
		results_step_status(r, n->host, ORCH_STEP_REBOOT, ORCH_SKIPPED, "not rebooted: %s came before the "
				    "reboot", sig);
		break;
	case PH_BOOT:
		n->down = 1;
		snprintf(n->where, sizeof(n->where), "rebooting, waited %.0f s for a new boot_id",
			 now() - n->started);
		results_step_status(r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED, "%s came while %s", sig, n->where);
		n->failed = 1;
		break;
	case PH_QUORUM:
		snprintf(n->where, sizeof(n->where), "back from its reboot, waited %.0f s for quorum",
			 now() - n->started);
		results_step_status(r, n->host, "quorum", ORCH_FAILED, "%s came while it %s", sig, n->where);
		n->failed = 1;
		break;
	default:
		snprintf(n->where, sizeof(n->where), "not started");
		break;
	}
	leave_maintenance(n);
}

/* What the rollout leaves behind if it ends now, on stderr. */
static void
print_left(struct rollout *ro)
{
	int any = 0;

	if (ro->noout_by_orch)
		fputs("orch: Ceph's noout flag set by orch may still be set: run 'ceph osd unset noout' on a member\n",
		      stderr);

	for (size_t k = 0; k < ro->n; k++) {
		struct node *n = &ro->nodes[k];
		const char *name = node_fact(ro, n->host, "hostname");

		if (!n->in_maintenance)
			continue;
		fprintf(stderr, "orch: %s (%s) may still be in HA maintenance mode: run 'ha-manager crm-command "
			"node-maintenance disable %s' on a member of its cluster\n", host_name(n), name ? name : "?",
			name ? name : "NODE");
		any = 1;
	}
	if (!any)
		fputs("orch: no node is left in HA maintenance mode by orch\n", stderr);
}

/* The first signal: start nothing new, and take every node of the batch
 * out of its wait. */
static void
interrupt(struct rollout *ro)
{
	ro->interrupted = 1;
	fprintf(stderr, "orch: %s: stopping the rollout; no other node is rebooted, nodes leave maintenance "
		"mode (a second signal exits at once)\n", signal_name(last_signal));
	fflush(stderr);
	for (size_t k = ro->done; k < ro->batch_end; k++) {
		struct node *n = &ro->nodes[k];

		/* a job in flight ends first; its next step is diverted */
		if (n->timer_fn != NULL) {
			engine_cancel(ro->engine, n);
			n->timer_fn = NULL;
			node_interrupted(n);
		}
	}
	/* waiting for Ceph's health between batches */
	if (ro->ceph.timer_fn != NULL) {
		engine_cancel(ro->engine, &ro->ceph);
		ro->ceph.timer_fn = NULL;
		health_interrupted(ro);
	}
}

static void
watch_signals(void *vro)
{
	struct rollout *ro = vro;

	if (signals_seen >= 2) {
		fprintf(stderr, "orch: %s again: exiting at once\n", signal_name(last_signal));
		print_left(ro);
		fflush(stderr);
		fflush(stdout);
		_exit(EXIT_INTERRUPTED);
	}
	if (signals_seen >= 1 && !ro->interrupted)
		interrupt(ro);
	if (!ro->finished && engine_at(ro->engine, now() + SIGNAL_EVERY_S, watch_signals, ro) != 0)
		fputs("orch: out of memory: signals are no longer watched\n", stderr);
}

/* --------------------------------------------------------------- quorum */

static void ask_quorum(void *vn);

/* A cluster member must see quorum again before the next node goes down. */
static void
wait_for_quorum(struct node *n)
{
	double waited = now() - n->started;

	n->phase = PH_QUORUM;
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
	json_t *cluster = json_object_get(json_object_get(agent_lines_find(lines, ORCH_STEP_FACTS), "facts"), "cluster");

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
	if ((res = agent_lines_find(n->lines, ORCH_STEP_VERIFY)) != NULL) {
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

	n->phase = PH_BOOT;
	if (waited >= n->ro->opts->reboot_timeout) {
		/* taken out of maintenance while it is offline, HA would fence it */
		n->down = 1;
		results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED,
				    "did not come back with a new boot_id within %d s (last: %s)%s",
				    n->ro->opts->reboot_timeout, n->err,
				    n->in_maintenance ? "; left in HA maintenance mode" : "");
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
		leave_maintenance(n);
		return;
	}
	res = agent_lines_find(n->lines, ORCH_STEP_REBOOT);
	boot = json_string_value(json_object_get(last_summary(n->lines), "boot_id"));
	if (res == NULL || decoded(res).status != ORCH_CHANGED || boot == NULL) {
		if (res != NULL)
			record_agent_step(n, res);
		else
			results_step_status(n->ro->r, n->host, ORCH_STEP_REBOOT, ORCH_FAILED,
					    "the agent did not start the reboot");
		n->failed = 1;
		leave_maintenance(n);
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
start_reboot(struct node *n)
{
	const struct options *opts = n->ro->opts;
	json_t *steps = json_array();

	n->phase = PH_REBOOT;
	n->started = now();
	n->next_note = n->started + PROGRESS_EVERY_S;
	n->backoff = BACKOFF_FIRST_S;
	json_array_append_new(steps, json_pack("{s:s, s:{s:b}}", "name", ORCH_STEP_REBOOT, "args", "allow_guests",
					       opts->allow_guest_shutdown || opts->maintenance));
	run_steps(n, steps, reboot_started);
}

static void
reboot_node(struct node *n)
{
	if (n->ro->opts->maintenance)
		enter_maintenance(n);
	else
		start_reboot(n);
}

/* ----------------------------------------------------------------- ceph */

static int
runs_osds(const struct rollout *ro, size_t host)
{
	return ident(ro, host)->osds;
}

/* A quorate member with Ceph that answered in this run, outside the batch
 * about to go down when there is one; SIZE_MAX when none. */
static size_t
ceph_member(const struct rollout *ro, int avoid_batch)
{
	size_t fallback = SIZE_MAX;

	for (size_t i = 0; i < ro->r->fleet->n; i++) {
		int in_batch = 0, down = 0;

		for (size_t k = 0; k < ro->n; k++)
			down |= ro->nodes[k].host == i && ro->nodes[k].down;
		if (down || !ident(ro, i)->ceph || !ident(ro, i)->quorate ||
		    ro->r->fleet->hosts[i].outcome.state != HOST_DONE)
			continue;
		for (size_t k = ro->done; avoid_batch && k < ro->batch_end; k++)
			in_batch |= ro->nodes[k].host == i;
		if (!in_batch)
			return i;
		if (fallback == SIZE_MAX)
			fallback = i;
	}
	return fallback;
}

/* The rollout stops before the nodes not rebooted yet. */
static void
skip_rest(struct rollout *ro, const char *why)
{
	for (size_t k = ro->done; k < ro->n; k++)
		results_step_status(ro->r, ro->nodes[k].host, ORCH_STEP_REBOOT, ORCH_SKIPPED, "not rebooted: %s", why);
	ro->stopped = 1;
}

/* The health checks of a ceph_health result, orch's own noout aside. */
static json_t *
health_checks(json_t *res)
{
	json_t *checks = json_deep_copy(json_object_get(json_object_get(res, "facts"), "checks"));

	if (checks == NULL)
		checks = json_object();
	json_object_del(checks, CEPH_NOOUT_CHECK);
	return checks;
}

static void
noout_unset(struct node *c, int answered)
{
	struct rollout *ro = c->ro;
	json_t *res = agent_lines_find(c->lines, ORCH_STEP_CEPH_NOOUT);

	if (res != NULL && !record_agent_step(c, res))
		ro->noout_by_orch = 0;
	else if (res == NULL)
		results_step_status(ro->r, c->host, ORCH_STEP_CEPH_NOOUT, ORCH_FAILED, "cannot unset noout: %s; "
				    "run 'ceph osd unset noout' on a member", answered ? "no answer" : c->err);
	ro->finished = 1;
}

/* After the last batch, or a stop: unset noout if orch set it. */
static void
ceph_finish(struct rollout *ro)
{
	size_t m;

	if (!ro->noout_by_orch) {
		ro->finished = 1;
		return;
	}
	if ((m = ceph_member(ro, 0)) == SIZE_MAX) {
		fputs("orch: no member with Ceph answers: noout stays set; run 'ceph osd unset noout' on a member\n",
		      stderr);
		ro->finished = 1;
		return;
	}
	ro->ceph.host = m;
	run_steps_on(&ro->ceph, m, json_pack("[{s:s, s:{s:b}}]", "name", ORCH_STEP_CEPH_NOOUT, "args", "set", 0),
		     noout_unset);
}

static void ask_health(void *vc);

static void
health_interrupted(struct rollout *ro)
{
	char why[128];

	snprintf(why, sizeof(why), "%s stopped the rollout after batch %zu", signal_name(last_signal), ro->batches);
	skip_rest(ro, why);
	ceph_finish(ro);
}

/* Before the next batch (and before noout is unset): the health checks the
 * cluster had before the rollout, and no other. */
static void
health_answered(struct node *c, int answered)
{
	struct rollout *ro = c->ro;
	json_t *res = agent_lines_find(c->lines, ORCH_STEP_CEPH_HEALTH), *checks, *v;
	double waited = now() - ro->ceph_since;
	const char *name;

	if (ro->interrupted) {
		health_interrupted(ro);
		return;
	}
	if (answered && res != NULL && decoded(res).status != ORCH_FAILED) {
		size_t at = 0;

		checks = health_checks(res);
		c->err[0] = '\0';
		json_object_foreach(checks, name, v) {
			int w;

			if (json_object_get(ro->ceph_before, name) != NULL)
				continue;
			w = snprintf(c->err + at, sizeof(c->err) - at, "%s%s (%s)", at ? ", " : "", name,
				     json_string_value(v));
			at = w < 0 || (size_t)w >= sizeof(c->err) - at ? sizeof(c->err) - 1 : at + (size_t)w;
		}
		json_decref(checks);
		if (at == 0) {
			results_step_status(ro->r, c->host, ORCH_STEP_CEPH_HEALTH, ORCH_OK,
					    "health as before the rollout after %.0f s", waited);
			ro->ceph_then(ro);
			return;
		}
	} else if (answered && res != NULL) {
		snprintf(c->err, sizeof(c->err), "%s", json_string_value(json_object_get(res, "msg")));
	}
	if (waited >= ro->opts->reboot_timeout) {
		char why[1400];

		results_step_status(ro->r, c->host, ORCH_STEP_CEPH_HEALTH, ORCH_FAILED,
				    "Ceph's health not back to what it was before the rollout within %d s: %s",
				    ro->opts->reboot_timeout, c->err);
		snprintf(why, sizeof(why), "the rollout stopped: Ceph's health not back within %d s (%s)",
			 ro->opts->reboot_timeout, c->err);
		if (ro->done < ro->n)
			skip_rest(ro, why);
		ro->stopped = 1;
		ceph_finish(ro);
		return;
	}
	if (now() >= c->next_note) {
		fprintf(stderr, "[ceph] waiting %.0f s of %d for the health before the rollout (%s)\n", waited,
			ro->opts->reboot_timeout, c->err);
		fflush(stderr);
		c->next_note = now() + PROGRESS_EVERY_S;
	}
	later(c, CEPH_EVERY_S, ask_health);
}

static void
ask_health(void *vc)
{
	struct node *c = vc;
	size_t m = ceph_member(c->ro, 0);

	if (m == SIZE_MAX) {
		snprintf(c->err, sizeof(c->err), "no member with Ceph answers");
		health_answered(c, 0);
		return;
	}
	c->host = m;
	run_steps_on(c, m, json_pack("[{s:s}]", "name", ORCH_STEP_CEPH_HEALTH), health_answered);
}

static void
ceph_wait(struct rollout *ro, void (*then)(struct rollout *ro))
{
	ro->ceph_then = then;
	ro->ceph_since = now();
	ro->ceph.next_note = ro->ceph_since + PROGRESS_EVERY_S;
	snprintf(ro->ceph.err, sizeof(ro->ceph.err), "no answer yet");
	ask_health(&ro->ceph);
}

static void
ceph_prepared(struct node *c, int answered)
{
	struct rollout *ro = c->ro;
	json_t *health = agent_lines_find(c->lines, ORCH_STEP_CEPH_HEALTH), *noout = agent_lines_find(c->lines, ORCH_STEP_CEPH_NOOUT);
	int bad = !answered || health == NULL || noout == NULL;

	if (health != NULL)
		bad |= record_agent_step(c, health);
	if (noout != NULL) {
		bad |= record_agent_step(c, noout);
		ro->noout_by_orch = decoded(noout).status == ORCH_CHANGED;
	}
	if (bad) {
		char why[1200];

		if (health == NULL || noout == NULL)
			results_step_status(ro->r, c->host, ORCH_STEP_CEPH_NOOUT, ORCH_FAILED, "cannot set noout: %s",
					    answered ? "no answer" : c->err);
		snprintf(why, sizeof(why), "the rollout stopped: noout could not be set on %s",
			 ro->r->fleet->hosts[c->host].plan.target.name);
		skip_rest(ro, why);
		ceph_finish(ro);
		return;
	}
	ro->ceph_before = health_checks(health);
	ro->ceph_started = 1;
	if (ro->interrupted) {
		health_interrupted(ro);
		return;
	}
	start_nodes(ro);
}

/* Before the first batch with a node that runs OSDs: the health the
 * cluster has now, then noout, so that the OSDs of a rebooting node are not
 * marked out and their data not moved (unless noout is set already: then
 * it is left as it is). */
static void
ceph_prepare(struct rollout *ro)
{
	size_t m = ceph_member(ro, 1);

	if (m == SIZE_MAX) {
		skip_rest(ro, "the rollout stopped: no quorate member with Ceph answered to set noout");
		ro->finished = 1;
		return;
	}
	ro->ceph.host = m;
	run_steps_on(&ro->ceph, m, json_pack("[{s:s}, {s:s, s:{s:b}}]", "name", ORCH_STEP_CEPH_HEALTH, "name",
					     ORCH_STEP_CEPH_NOOUT, "args", "set", 1), ceph_prepared);
}

/* ---------------------------------------------------------------- batches */

static void
start_nodes(struct rollout *ro)
{
	/* one more than the batch until every node of it has started: a node
	 * that fails at once must not end the batch under the loop */
	ro->running = ro->batch_end - ro->done + 1;
	for (size_t k = ro->done; k < ro->batch_end; k++)
		reboot_node(&ro->nodes[k]);
	if (--ro->running == 0)
		batch_done(ro);
}

static void
start_batch(struct rollout *ro)
{
	size_t size = reboot_batch_size(ro->opts, ro->n);
	int osds = 0;

	ro->batch_end = ro->done + size < ro->n ? ro->done + size : ro->n;
	ro->batches++;
	for (size_t k = ro->done; k < ro->batch_end; k++)
		osds |= runs_osds(ro, ro->nodes[k].host);
	if (osds && !ro->ceph_started)
		ceph_prepare(ro);
	else
		start_nodes(ro);
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
	if (ro->done == ro->n) {
		if (ro->ceph_started)
			ceph_wait(ro, ceph_finish);
		else
			ro->finished = 1;
		return;
	}
	if (ro->interrupted) {
		for (size_t k = ro->done; k < ro->n; k++)
			results_step_status(ro->r, ro->nodes[k].host, ORCH_STEP_REBOOT, ORCH_SKIPPED,
					    "not rebooted: %s stopped the rollout after batch %zu",
					    signal_name(last_signal), ro->batches);
		ceph_finish(ro);
		return;
	}
	if (nfailed * 100 > (size_t)ro->opts->max_fail_percentage * count) {
		for (size_t k = ro->done; k < ro->n; k++)
			results_step_status(ro->r, ro->nodes[k].host, ORCH_STEP_REBOOT, ORCH_SKIPPED,
					    "not rebooted: the rollout stopped after batch %zu, where %zu of %zu "
					    "failed (--max-fail-percentage %d)", ro->batches, nfailed, count,
					    ro->opts->max_fail_percentage);
		ro->stopped = 1;
		ceph_finish(ro);
		return;
	}
	if (ro->ceph_started)
		ceph_wait(ro, start_batch);
	else
		start_batch(ro);
}

static void
node_done(struct node *n)
{
	n->phase = PH_DONE;
	json_decref(n->lines);
	n->lines = NULL;
	if (--n->ro->running == 0)
		batch_done(n->ro);
}

/* Where the signal found each node, and what orch took back. */
static void
print_interrupted(struct rollout *ro)
{
	for (size_t k = 0; k < ro->n; k++) {
		struct node *n = &ro->nodes[k];
		const char *name = node_fact(ro, n->host, "hostname");
		char left[512] = "";

		if (!n->interrupted)
			continue;
		if (n->in_maintenance)
			snprintf(left, sizeof(left), "; still in HA maintenance mode: run 'ha-manager crm-command "
				 "node-maintenance disable %s' on a member", name ? name : "NODE");
		else if (n->had_maintenance && n->via == n->host)
			snprintf(left, sizeof(left), "; HA maintenance mode disabled");
		else if (n->had_maintenance)
			snprintf(left, sizeof(left), "; HA maintenance mode disabled through %s",
				 ro->r->fleet->hosts[n->via].plan.target.name);
		fprintf(stderr, "orch: %s (%s): %s%s\n", host_name(n), name ? name : "?", n->where, left);
	}
	fflush(stderr);
}

int
reboot_rollout(struct engine *engine, const struct options *opts, struct results *r, const unsigned char *candidates)
{
	struct fleet *fleet = r->fleet;
	struct rollout ro = {.opts = opts, .engine = engine, .r = r};
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	int ret;

	if ((ro.nodes = calloc(fleet->n ? fleet->n : 1, sizeof(*ro.nodes))) == NULL ||
	    (ro.idents = calloc(fleet->n ? fleet->n : 1, sizeof(*ro.idents))) == NULL) {
		free(ro.nodes);
		return -1;
	}
	for (size_t i = 0; i < fleet->n; i++) {
		if (candidates[i])
			ro.nodes[ro.n++] = (struct node){.ro = &ro, .host = i};
	}
	ro.ceph = (struct node){.ro = &ro, .cluster = 1};
	if (ro.n > 0) {
		/* no SA_RESTART: the engine's poll returns at once */
		sigemptyset(&sa.sa_mask);
		signals_seen = 0;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		if (engine_at(engine, now() + SIGNAL_EVERY_S, watch_signals, &ro) != 0)
			fputs("orch: out of memory: signals are not watched\n", stderr);
		start_batch(&ro);
		engine_run(engine);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (ro.interrupted)
		print_interrupted(&ro);
	ret = ro.interrupted ? -2 : ro.stopped ? -1 : 0;
	for (size_t k = 0; k < ro.n; k++) {
		free(ro.nodes[k].old_boot);
		json_decref(ro.nodes[k].lines);
	}
	json_decref(ro.ceph.lines);
	json_decref(ro.ceph_before);
	free(ro.nodes);
	for (size_t i = 0; i < fleet->n; i++) {
		free(ro.idents[i].hostname);
		free(ro.idents[i].cluster);
	}
	free(ro.idents);
	return ret;
}
