/* orch: roll PCIe passthrough out across Proxmox VE nodes. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libssh/libssh.h>

#include "agent/protocol.h"
#include "inventory/inventory.h"

#include "cli.h"
#include "facts.h"
#include "graph.h"
#include "loop.h"
#include "plan.h"
#include "push.h"
#include "random.h"
#include "clock.h"
#include "reboot.h"
#include "report.h"
#include "run.h"
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

static int
run_fleet(const struct options *opts, const struct inventory *inv)
{
	size_t total = inventory_host_count(inv), n = 0;
	unsigned char *selected = NULL, *reboot = NULL;
	struct host_plan *plans = NULL;
	const char **names = NULL;
	json_t **plan_json = NULL, **selects = NULL;
	char **plan_text = NULL;
	struct agent_blob agent = {0};
	struct ssh_ctx ssh = {
		.known_hosts = opts->known_hosts, .accept_new = opts->accept_new,
		.identity = opts->identity, .timeout = opts->timeout,
	};
	struct report report;
	int report_ready = 0, bad = 0, rc = EXIT_ERROR;
	char err[1024];

	pthread_mutex_init(&ssh.known_hosts_lock, NULL);
	orch_ssh_find_dir(&ssh);
	if ((selected = calloc(total ? total : 1, 1)) == NULL)
		goto oom;
	if (inventory_match(inv, opts->limit ? opts->limit : "all", selected, err, sizeof(err)) != 0) {
		fprintf(stderr, "orch: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < total; i++)
		n += selected[i] != 0;
	if (n == 0) {
		char sources[1024];

		fprintf(stderr, "orch: no hosts match '%s' in '%s'\n", opts->limit ? opts->limit : "all",
			cli_sources(opts, sources, sizeof(sources)));
		goto out;
	}
	plans = calloc(n, sizeof(*plans));
	names = calloc(n, sizeof(*names));
	plan_json = calloc(n, sizeof(*plan_json));
	selects = calloc(n, sizeof(*selects));
	plan_text = calloc(n, sizeof(*plan_text));
	reboot = calloc(n, 1);
	if (plans == NULL || names == NULL || plan_json == NULL || selects == NULL || plan_text == NULL || reboot == NULL)
		goto oom;
	for (size_t i = 0, j = 0; i < total; i++) {
		if (!selected[i])
			continue;
		if (plan_compile(&plans[j], inv, i, opts, err, sizeof(err)) != 0) {
			fprintf(stderr, "orch: %s\n", err);
			bad = 1;
			continue;
		}
		names[j] = plans[j].target.name;
		plan_json[j] = plans[j].plan;
		selects[j] = plans[j].select;
		if ((plan_text[j] = json_dumps(plans[j].plan, JSON_COMPACT)) == NULL)
			goto oom;
		j++;
	}
	if (bad)
		goto out;
	if (agent_blob_get(&agent, err, sizeof(err)) != 0) {
		fprintf(stderr, "orch: %s\n", err);
		goto out;
	}
	if (report_init(&report, opts, n, names, plan_json) != 0)
		goto oom;
	report_ready = 1;
	report_begin(&report);
	{
		loop_run(n, opts, &ssh, &agent, plans, plan_text, &report);
	}
	if ((opts->command == CMD_APPLY || opts->command == CMD_ROLLBACK) &&
	    reboot_candidates(&report, plans, reboot) > 0)
		(void)reboot_rollout(opts, &report, &ssh, &agent, plans, reboot);
	rc = report_finish(&report);
	if (opts->command == CMD_FACTS) {
		if (opts->json) {
			json_t *doc = facts_document(&report, selects);

			json_dumpf(doc, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(doc);
		} else
			facts_print_table(stdout, &report, selects, opts->verbose > 0);
	}
	goto out;
oom:
	fputs("orch: out of memory\n", stderr);
	rc = EXIT_ERROR;
out:
	if (report_ready)
		report_release(&report);
	for (size_t i = 0; plans != NULL && i < n; i++) {
		plan_release(&plans[i]);
		free(plan_text[i]);
	}
	agent_blob_release(&agent);
	pthread_mutex_destroy(&ssh.known_hosts_lock);
	free(plans);
	free(names);
	free(plan_json);
	free(selects);
	free(plan_text);
	free(selected);
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
