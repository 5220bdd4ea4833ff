/* orch: roll PCIe passthrough out across Proxmox VE nodes. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libssh/libssh.h>

#include "protocol.h"
#include "inventory/inventory.h"

#include "ansible_cfg.h"
#include "cli.h"
#include "engine.h"
#include "facts.h"
#include "fleet.h"
#include "graph.h"
#include "guests.h"
#include "mapping.h"
#include "plan.h"
#include "push.h"
#include "random.h"
#include "clock.h"
#include "reboot.h"
#include "report.h"
#include "results.h"
#include "ssh.h"

static int
print_inventory(const struct inventory *inv)
{
	json_t *doc = inventory_to_json(inv);

	if (doc == NULL) {
		fputs("orch: cannot render the inventory\n", stderr);
		return EXIT_ERROR;
	}
	json_dumpf(doc, stdout, JSON_INDENT(4) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(doc);
	return EXIT_OK;
}

/* A job of the fleet run: the host's own plan, its lines and its end
 * recorded in the results. */
struct fleet_job {
	struct results *res;
	size_t host;
};

static void
fleet_job_line(void *ctx, const struct agent_message *m)
{
	struct fleet_job *fj = ctx;

	results_record(fj->res, fj->host, m);
}

static void
fleet_job_end(void *ctx, const struct job_end *end)
{
	struct fleet_job *fj = ctx;

	if (end->status == JOB_UNREACHABLE)
		results_unreachable(fj->res, fj->host, end->err);
	else if (end->status == JOB_FAILED)
		results_failed(fj->res, fj->host, end->err);
	results_done(fj->res, fj->host, end->seconds, end->agent_sent, end->notes->recorded_key,
		     end->notes->fingerprint);
}

/* Runs every host's plan on its node, recording into res. Returns 0 or -1
 * when out of memory. */
static int
run_plans(struct engine *e, struct fleet *fleet, struct results *res)
{
	struct fleet_job *jobs = calloc(fleet->n, sizeof(*jobs));

	if (jobs == NULL)
		return -1;
	for (size_t i = 0; i < fleet->n; i++) {
		struct job job = {
			.host = i, .plan = fleet->hosts[i].plan_text,
			.on_line = fleet_job_line, .on_end = fleet_job_end, .ctx = &jobs[i],
		};

		jobs[i] = (struct fleet_job){res, i};
		if (engine_submit(e, &job) != 0)
			results_failed(res, i, "out of memory");
	}
	engine_run(e);
	free(jobs);
	return 0;
}

/* inventory -> hosts -> the agent on every node -> results -> renderers,
 * with the rolling reboot after an apply or a rollback. */
static int
run_fleet(const struct options *opts, const struct inventory *inv)
{
	struct fleet fleet;
	struct results results;
	struct report report;
	struct agent_blob agent = {0};
	struct ssh_ctx ssh = {
		.known_hosts = opts->known_hosts, .accept_new = opts->accept_new,
		.identity = opts->identity, .timeout = opts->timeout,
	};
	struct engine *engine = NULL;
	unsigned char *reboot = NULL;
	int results_ready = 0, rc = EXIT_ERROR, rollout = 0;
	char err[1024];

	if (fleet_build(&fleet, inv, opts, stderr) != 0)
		return EXIT_ERROR;
	pthread_mutex_init(&ssh.known_hosts_lock, NULL);
	orch_ssh_find_dir(&ssh);
	if (agent_blob_get(&agent, err, sizeof(err)) != 0) {
		fprintf(stderr, "orch: %s\n", err);
		goto out;
	}
	if ((reboot = calloc(fleet.n, 1)) == NULL || (engine = engine_new(&fleet, opts, &ssh, &agent)) == NULL ||
	    results_init(&results, &fleet, opts->check && (opts->command == CMD_APPLY ||
							   opts->command == CMD_ROLLBACK)) != 0) {
		fputs("orch: out of memory\n", stderr);
		results_ready = engine != NULL;
		goto out;
	}
	results_ready = 1;
	report_init(&report, opts, &results);
	report_begin(&report);
	if (run_plans(engine, &fleet, &results) != 0) {
		fputs("orch: out of memory\n", stderr);
		goto out;
	}
	if ((opts->command == CMD_APPLY || opts->command == CMD_ROLLBACK) &&
	    reboot_candidates(&fleet, opts, reboot) > 0)
		rollout = reboot_rollout(engine, opts, &results, reboot);
	/* the cluster's PCI resource mappings, from the facts of the boots that
	 * verified; none after a signal: the user asked orch to stop */
	if (opts->command == CMD_APPLY && rollout != -2)
		mapping_rollout(engine, opts, &results);
	/* then the VMs that use them */
	if (guests_attach(engine, opts, &results, rollout != 0) < 0) {
		fputs("orch: out of memory\n", stderr);
		goto out;
	}
	rc = report_finish(&report);
	if (rollout == -2 && rc != EXIT_ERROR)
		rc |= EXIT_INTERRUPTED;
	if (opts->command == CMD_FACTS) {
		if (opts->json)
			facts_write_json(stdout, &results);
		else
			facts_print_table(stdout, &fleet, opts->verbose > 0);
	}
out:
	if (results_ready)
		results_release(&results);
	engine_free(engine);
	fleet_release(&fleet);
	agent_blob_release(&agent);
	pthread_mutex_destroy(&ssh.known_hosts_lock);
	orch_ssh_ctx_release(&ssh);
	free(reboot);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options opts;
	struct inventory *inv = NULL;
	char err[1024];
	int rc;

	if ((rc = cli_parse(&opts, argc, argv)) != 0)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	/* A node that drops its connection must fail that node, not end the
	 * whole run on a write to its socket. */
	signal(SIGPIPE, SIG_IGN);
	/* Workers spend their time waiting on the network; a malloc arena per
	 * thread would only add page faults (a tenth of orch's CPU time on a
	 * warm apply of 20 nodes). */
	mallopt(M_ARENA_MAX, 2);
	/* Both keep process-wide state that must be set up before threads. */
	json_object_seed(0);
	if (ssh_init() != SSH_OK || orch_random_init() != 0) {
		fputs("orch: cannot initialize libssh\n", stderr);
		return EXIT_ERROR;
	}
	if (inventory_load_sources(&inv, opts.inventories, opts.ninventories, err, sizeof(err)) != 0) {
		fprintf(stderr, "orch: %s\n", err);
		rc = EXIT_ERROR;
		goto out;
	}
	/* What Ansible would warn about, and names that look like one of
	 * orch's variables but are not, before anything else is printed. */
	for (size_t k = 0; k < inventory_warning_count(inv); k++)
		fprintf(stderr, "orch: warning: %s\n", inventory_warning(inv, k));
	plan_warn_misspelled(inv, stderr);
	plan_warn_unused(inv, stderr);
	ansible_cfg_warn(stderr);
	if (opts.command == CMD_INVENTORY && opts.graph) {
		if ((rc = graph_print(stdout, inv, opts.graph_group, err, sizeof(err))) != 0)
			fprintf(stderr, "orch: %s\n", err);
		rc = rc != 0 ? EXIT_ERROR : EXIT_OK;
	} else if (opts.command == CMD_INVENTORY)
		rc = print_inventory(inv);
	else
		rc = run_fleet(&opts, inv);
out:
	inventory_free(inv);
	ssh_finalize();
	return rc;
}
