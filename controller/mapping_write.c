/* The mapping phase of an apply (mapping.h): the facts of the boot that
 * verified, the cluster checks, the entries and their checks, then one
 * pci_mapping job per mapping on its writer, one mapping after the other
 * (each `pvesh set` carries the digest of the whole file, so two writes at
 * once would refuse each other). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fleet.h"
#include "mapping.h"
#include "protocol.h"
#include "results.h"

/* One host's part in the phase. */
struct member {
	size_t host;
	json_t *facts;            /* owned reference; NULL: the host gives no entry */
	int fresh;                /* its facts must be read from the fresh boot first */
	struct pcimap_entry entry;
	int has_entry;
	json_t *lines;            /* the lines of its job */
	char err[1024];
	int answered;
};

struct phase {
	const struct options *opts;
	struct engine *engine;
	struct results *r;
	struct member *m;         /* one per host with pci_mapping, in inventory order */
	size_t n;
};

static const char *
host_name(const struct phase *ph, size_t host)
{
	return ph->r->fleet->hosts[host].plan.target.name;
}

static const char *
mapping_of(const struct phase *ph, const struct member *m)
{
	return ph->r->fleet->hosts[m->host].plan.target.pci_mapping;
}

static void
job_line(void *ctx, const struct agent_message *msg)
{
	struct member *m = ctx;

	json_array_append(m->lines, msg->line);
}

static void
job_end(void *ctx, const struct job_end *end)
{
	struct member *m = ctx;

	m->answered = end->status == JOB_DONE;
	if (!m->answered)
		snprintf(m->err, sizeof(m->err), "%s", end->err);
}

/* Queues `steps` (taken) on m's node, in its plan's root; its lines go to
 * m->lines. Returns 0, or -1 with m->err. */
static int
submit(struct phase *ph, struct member *m, json_t *steps, char **text)
{
	const struct host_plan *hp = &ph->r->fleet->hosts[m->host].plan;
	json_t *plan = json_pack("{s:i, s:O, s:O, s:b, s:b, s:o}", "version", ORCH_PROTOCOL_VERSION, "host",
				 json_object_get(hp->plan, "host"), "root", json_object_get(hp->plan, "root"),
				 "check", ph->opts->check, "diff", ph->opts->diff, "steps", steps);
	struct job job = {.host = m->host, .on_line = job_line, .on_end = job_end, .ctx = m};

	json_decref(m->lines);
	m->lines = json_array();
	m->answered = 0;
	*text = plan != NULL ? json_dumps(plan, JSON_COMPACT) : NULL;
	json_decref(plan);
	job.plan = *text;
	if (*text == NULL || m->lines == NULL || engine_submit(ph->engine, &job) != 0) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		return -1;
	}
	return 0;
}

/* Which facts a host gives: those of the apply when it needed no reboot,
 * those of the fresh boot when the rolling reboot brought it back and it
 * verified (read again: the reboot recorded only its verify), none when it
 * failed, was unreachable, or still waits for its reboot (its entry in the
 * mapping is kept as it is). */
static void
choose_facts(struct phase *ph, struct member *m)
{
	const struct outcome *o = &ph->r->fleet->hosts[m->host].outcome;
	const struct step_result *verify = outcome_find(o, ORCH_STEP_VERIFY);
	const char *name = mapping_of(ph, m);

	if (o->state == HOST_UNREACHABLE || o->state == HOST_PENDING) {
		results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_SKIPPED,
				    "no entry in mapping '%s' from this run: the host was unreachable", name);
	} else if (o->state == HOST_FAILED) {
		results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_SKIPPED,
				    "no entry in mapping '%s' from this run: the host failed; its entry is kept as it is",
				    name);
	} else if (outcome_reboot_pending(o)) {
		results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_SKIPPED,
				    "no entry in mapping '%s' from this run: not verified, the reboot that makes the change "
				    "live is pending; its entry is kept as it is", name);
	} else if (verify != NULL) {
		m->fresh = verify->status == ORCH_OK;
		if (!m->fresh)
			results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_SKIPPED,
					    "no entry in mapping '%s' from this run: the fresh boot did not verify", name);
	} else if ((m->facts = outcome_facts(o)) != NULL) {
		json_incref(m->facts);
		outcome_compact(o);
	} else {
		results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED,
				    "no entry in mapping '%s': the agent reported no facts", name);
	}
}

/* Reads the facts of every fresh boot, all at once (--forks of them). */
static void
read_fresh_facts(struct phase *ph)
{
	char **texts = calloc(ph->n + 1, sizeof(*texts));
	int queued = 0;

	for (size_t k = 0; k < ph->n; k++) {
		struct member *m = &ph->m[k];

		if (!m->fresh)
			continue;
		if (texts == NULL || submit(ph, m, json_pack("[{s:s}]", "name", ORCH_STEP_FACTS), &texts[k]) != 0)
			m->answered = 0;
		else
			queued = 1;
	}
	if (queued)
		engine_run(ph->engine);
	for (size_t k = 0; k < ph->n; k++) {
		struct member *m = &ph->m[k];
		json_t *facts = json_object_get(agent_lines_find(m->lines, ORCH_STEP_FACTS), "facts");

		if (!m->fresh)
			continue;
		if (m->answered && json_is_object(facts)) {
			m->facts = json_incref(facts);
		} else {
			results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED,
					    "no entry in mapping '%s': cannot read the facts of the fresh boot: %s",
					    mapping_of(ph, m), m->answered ? "no facts in the answer" : m->err);
		}
		if (texts != NULL)
			free(texts[k]);
	}
	free(texts);
}

/* Every host of `name` that gives facts fails with msg. */
static void
fail_mapping(struct phase *ph, const char *name, const char *msg)
{
	for (size_t k = 0; k < ph->n; k++) {
		if (strcmp(mapping_of(ph, &ph->m[k]), name) == 0 && ph->m[k].facts != NULL)
			results_step_status(ph->r, ph->m[k].host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED, "%s", msg);
	}
}

/* One mapping: its cluster, its entries, then the write on its writer. */
static void
write_mapping(struct phase *ph, const char *name)
{
	const char **hosts = calloc(ph->n + 1, sizeof(*hosts));
	json_t **facts = calloc(ph->n + 1, sizeof(*facts));
	json_t *map = json_array(), *nodes = json_array(), *line;
	struct member *writer = NULL;
	size_t nh = 0;
	char err[1600], *text = NULL;

	if (hosts == NULL || facts == NULL || map == NULL || nodes == NULL) {
		fail_mapping(ph, name, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < ph->n; k++) {
		if (strcmp(mapping_of(ph, &ph->m[k]), name) == 0 && ph->m[k].facts != NULL) {
			hosts[nh] = host_name(ph, ph->m[k].host);
			facts[nh++] = ph->m[k].facts;
		}
	}
	if (nh == 0)
		goto out;
	if (mapping_check_cluster(name, hosts, facts, nh, err, sizeof(err)) != 0) {
		fail_mapping(ph, name, err);
		goto out;
	}
	for (size_t k = 0; k < ph->n; k++) {
		struct member *m = &ph->m[k];
		char why[900];

		if (strcmp(mapping_of(ph, m), name) != 0 || m->facts == NULL)
			continue;
		if (mapping_entry_from_facts(&m->entry, m->facts, ph->r->fleet->hosts[m->host].plan.select, why,
					     sizeof(why)) != 0) {
			results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED,
					    "no entry in mapping '%s': %s", name, why);
			continue;
		}
		m->has_entry = 1;
		for (size_t j = 0; j < k; j++) {
			if (ph->m[j].has_entry && strcmp(mapping_of(ph, &ph->m[j]), name) == 0 &&
			    strcmp(ph->m[j].entry.node, m->entry.node) == 0) {
				snprintf(err, sizeof(err), "mapping '%s' not written: %s and %s are both node '%s'", name,
					 host_name(ph, ph->m[j].host), host_name(ph, m->host), m->entry.node);
				fail_mapping(ph, name, err);
				goto out;
			}
		}
		/* what qemu-server will check at VM start, on the facts of the boot the entry is for */
		if (mapping_check_entry(name, &m->entry, m->facts, why, sizeof(why)) != 0) {
			m->has_entry = 0;
			results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED,
					    "no entry in mapping '%s': qemu-server would refuse it: %s", name, why);
			continue;
		}
		text = pcimap_entry_format(&m->entry);
		if (text == NULL || json_array_append_new(map, json_string(text)) != 0 ||
		    json_array_append_new(nodes, json_string(m->entry.node)) != 0) {
			fail_mapping(ph, name, "out of memory");
			goto out;
		}
		free(text);
		text = NULL;
		/* the first member with an entry, in inventory order: every one
		 * of them is a member of the one quorate cluster */
		if (writer == NULL)
			writer = m;
	}
	if (writer == NULL)
		goto out;
	if (submit(ph, writer, json_pack("[{s:s, s:{s:s, s:O, s:O}}]", "name", ORCH_STEP_PCI_MAPPING, "args", "id",
					 name, "map", map, "nodes", nodes), &text) != 0) {
		fail_mapping(ph, name, writer->err);
		goto out;
	}
	engine_run(ph->engine);
	line = agent_lines_find(writer->lines, ORCH_STEP_PCI_MAPPING);
	if (line == NULL) {
		snprintf(err, sizeof(err), "mapping '%s' not written: %s did not run pci_mapping: %.900s", name,
			 host_name(ph, writer->host), writer->answered ? "no result" : writer->err);
		for (size_t k = 0; k < ph->n; k++) {
			if (ph->m[k].has_entry && strcmp(mapping_of(ph, &ph->m[k]), name) == 0)
				results_step_status(ph->r, ph->m[k].host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED, "%s", err);
		}
		goto out;
	}
	for (size_t k = 0; k < ph->n; k++) {
		struct member *m = &ph->m[k];
		struct agent_message msg;
		char derr[256];

		if (!m->has_entry || strcmp(mapping_of(ph, m), name) != 0)
			continue;
		if (agent_message_decode(&msg, line, derr, sizeof(derr)) != 0) {
			results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, ORCH_FAILED, "%s", derr);
		} else if (m == writer) {
			results_record_step(ph->r, m->host, &msg);
		} else {
			results_step_status(ph->r, m->host, ORCH_STEP_PCI_MAPPING, msg.status, "%s (through %s)",
					    json_string_value(json_object_get(line, "msg")), host_name(ph, writer->host));
		}
	}
out:
	free(text);
	free(hosts);
	free(facts);
	json_decref(map);
	json_decref(nodes);
}

void
mapping_rollout(struct engine *engine, const struct options *opts, struct results *r)
{
	struct fleet *fleet = r->fleet;
	struct phase ph = {.opts = opts, .engine = engine, .r = r};

	if ((ph.m = calloc(fleet->n + 1, sizeof(*ph.m))) == NULL)
		return;
	for (size_t i = 0; i < fleet->n; i++) {
		if (fleet->hosts[i].plan.target.pci_mapping != NULL)
			ph.m[ph.n++] = (struct member){.host = i, .entry = {.iommugroup = -1}};
	}
	for (size_t k = 0; k < ph.n; k++)
		choose_facts(&ph, &ph.m[k]);
	read_fresh_facts(&ph);
	for (size_t k = 0; k < ph.n; k++) {
		const char *name = mapping_of(&ph, &ph.m[k]);
		size_t j = 0;

		while (j < k && strcmp(mapping_of(&ph, &ph.m[j]), name) != 0)
			j++;
		if (j == k)   /* each name once, in the order of its first host */
			write_mapping(&ph, name);
	}
	for (size_t k = 0; k < ph.n; k++) {
		json_decref(ph.m[k].facts);
		json_decref(ph.m[k].lines);
		pcimap_entry_release(&ph.m[k].entry);
	}
	free(ph.m);
}
