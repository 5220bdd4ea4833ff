/*
 * The renderers (controller/report.c, facts.c) on a recorded results store:
 * a fleet of three hosts whose agent lines are recorded as the engine
 * records them (decoded by agent_output.c), then the live text, PLAY RECAP,
 * the notes, the JSON document, the JUnit file and the facts table read
 * back. What tests/controller/json_report_matches_run.sh, junit_report_
 * matches_run.sh, facts_table_and_json.sh and node_escape_sequences_are_not_
 * printed.sh see through sshd.
 */
#include "compile.h"

#include "facts.h"
#include "fleet.h"
#include "json_writer.h"
#include "report.h"
#include "results.h"

#define FACTS_LINE                                                                                         \
	"{\"type\": \"result\", \"name\": \"facts\", \"status\": \"ok\", \"msg\": \"systemd-boot\", \"facts\": {" \
	"\"boot\": {\"loader\": \"systemd-boot\"}, \"kernel\": {\"running\": \"6.8.12-4-pve\"},"            \
	"\"iommu\": {\"active\": true, \"interrupt_remapping\": true}, \"reboot_pending\": false,"          \
	"\"devices\": [{\"address\": \"0000:82:00.0\", \"vendor\": \"10de\", \"device\": \"1b81\","         \
	"\"vendor_name\": \"NVIDIA\", \"device_name\": \"GP104 \\u001b[2J\", \"driver\": \"nouveau\","      \
	"\"iommu_group\": 14}, {\"address\": \"0001:82:00.0\", \"vendor\": \"8086\", \"device\": \"1533\","  \
	"\"driver\": \"igb\", \"iommu_group\": 15}]}}"

/* A fleet of the hosts of the INI text, each compiled for opts. */
struct scene {
	struct inventory *inv;
	struct fleet fleet;
	struct results res;
	struct report report;
	struct options opts;
	const char *inventories[1];
	char *out;
	size_t outlen;
};

static void
scene_open(struct scene *s, const char *ini_text, enum orch_command cmd, int check, int json)
{
	char err[512];

	memset(s, 0, sizeof(*s));
	s->inv = ini(ini_text);
	s->opts = command(cmd);
	s->opts.check = check;
	s->opts.json = json;
	s->inventories[0] = "hosts.ini";
	s->opts.inventories = s->inventories;
	s->opts.ninventories = 1;
	s->fleet.n = inventory_host_count(s->inv);
	s->fleet.hosts = calloc(s->fleet.n, sizeof(*s->fleet.hosts));
	for (size_t i = 0; i < s->fleet.n; i++) {
		if (plan_compile(&s->fleet.hosts[i].plan, s->inv, i, &s->opts, err, sizeof(err)) != 0) {
			fprintf(stderr, "test plan does not compile: %s\n", err);
			exit(2);
		}
	}
	CHECK(results_init(&s->res, &s->fleet, check && cmd != CMD_FACTS) == 0);
	report_init(&s->report, &s->opts, &s->res);
	s->report.out = open_memstream(&s->out, &s->outlen);
	s->report.color = 0;
}

/* The text written so far. */
static const char *
scene_text(struct scene *s)
{
	fflush(s->report.out);
	return s->out;
}

static void
scene_close(struct scene *s)
{
	fclose(s->report.out);
	free(s->out);
	results_release(&s->res);
	fleet_release(&s->fleet);
	inventory_free(s->inv);
}

/* Records a line of the agent for host i, as the engine would. */
static void
line(struct scene *s, size_t i, const char *text)
{
	json_error_t e;
	json_t *obj = json_loads(text, 0, &e);
	struct agent_message m;
	char err[256];

	if (obj == NULL || agent_message_decode(&m, obj, err, sizeof(err)) != 0) {
		fprintf(stderr, "bad test line: %s\n", text);
		exit(2);
	}
	results_record(&s->res, i, &m);
	json_decref(obj);
}

#define CONTAINS(hay, needle)                                                                     \
	do {                                                                                      \
		const char *h_ = (hay), *n_ = (needle);                                           \
		if (h_ == NULL || strstr(h_, n_) == NULL) {                                       \
			fprintf(stderr, "%s:%d: [%s]\n  lacks [%s]\n", __FILE__, __LINE__, h_ ? h_ : "(null)", n_); \
			harness_failures++;                                                       \
		}                                                                                 \
	} while (0)

static const char *const three_nodes =
	"[nodes]\npve1 passthrough=82:00\npve2 passthrough=82:00\npve3 passthrough=82:00\n";

/* pve1 changes and needs a reboot, pve2 fails a step, pve3 is unreachable. */
static void
record_three_nodes(struct scene *s)
{
	line(s, 0, FACTS_LINE);
	line(s, 0, "{\"type\": \"result\", \"name\": \"devices\", \"status\": \"ok\", \"msg\": \"1 device\"}");
	line(s, 0, "{\"type\": \"result\", \"name\": \"kernel_cmdline\", \"status\": \"changed\","
		   " \"msg\": \"add intel_iommu=on\"}");
	line(s, 0, "{\"type\": \"summary\", \"ok\": 2, \"changed\": 1, \"failed\": 0, \"skipped\": 0,"
		   " \"reboot_pending\": true, \"boot_id\": \"b1\"}");
	results_done(&s->res, 0, 0.5, 1, 0, "ED25519 SHA256:abc");
	line(s, 1, FACTS_LINE);
	line(s, 1, "{\"type\": \"result\", \"name\": \"devices\", \"status\": \"failed\","
		   " \"msg\": \"group 14 holds 0000:82:00.1\\u001b]0;x\\u0007\"}");
	line(s, 1, "{\"type\": \"result\", \"name\": \"kernel_cmdline\", \"status\": \"skipped\","
		   " \"msg\": \"not run\"}");
	line(s, 1, "{\"type\": \"summary\", \"ok\": 1, \"changed\": 0, \"failed\": 1, \"skipped\": 1,"
		   " \"reboot_pending\": false, \"boot_id\": \"b2\"}");
	results_done(&s->res, 1, 0.25, 0, 0, "ED25519 SHA256:def");
	results_unreachable(&s->res, 2, "cannot connect to 'root@10.0.0.3:22': Connection refused");
	results_done(&s->res, 2, 0.1, 0, 0, "");
}

static void
live_text_prints_each_result_as_it_is_recorded(void)
{
	struct scene s;

	scene_open(&s, three_nodes, CMD_APPLY, 0, 0);
	line(&s, 0, "{\"type\": \"result\", \"name\": \"kernel_cmdline\", \"status\": \"changed\", \"msg\": \"m\"}");
	CHECK_STR(scene_text(&s), "changed: [pve1] kernel_cmdline: m\n");
	line(&s, 1, "{\"type\": \"result\", \"name\": \"devices\", \"status\": \"failed\","
		    " \"msg\": \"x\\u001b[2J\\nok: [pve3] forged\"}");
	CONTAINS(scene_text(&s), "fatal: [pve2]: FAILED! => devices: x\\x1b[2J\\x0aok: [pve3] forged\n");
	results_unreachable(&s.res, 2, "cannot connect");
	CONTAINS(scene_text(&s), "fatal: [pve3]: UNREACHABLE! => cannot connect\n");
	scene_close(&s);
}

static void
recap_counts_as_ansible_and_notes_the_pending_reboot(void)
{
	struct scene s;

	scene_open(&s, three_nodes, CMD_APPLY, 0, 0);
	record_three_nodes(&s);
	CHECK(report_finish(&s.report) == EXIT_HOST_FAILED + EXIT_HOST_UNREACHABLE);
	CONTAINS(scene_text(&s), "PLAY RECAP *****");
	CONTAINS(scene_text(&s), "\npve1                       : ok=3    changed=1    unreachable=0    failed=0    "
		 "skipped=0    rescued=0    ignored=0   \n");
	CONTAINS(scene_text(&s), "\npve2                       : ok=1    changed=0    unreachable=0    failed=1    "
		 "skipped=1    rescued=0    ignored=0   \n");
	CONTAINS(scene_text(&s), "\npve3                       : ok=0    changed=0    unreachable=1    failed=0    "
		 "skipped=0    rescued=0    ignored=0   \n");
	CONTAINS(scene_text(&s), "REBOOT PENDING: pve1\n  the change is live after a reboot of these nodes\n");
	scene_close(&s);
}

static void
json_document_holds_each_hosts_outcome(void)
{
	struct scene s;
	json_t *doc;
	json_error_t e;

	scene_open(&s, three_nodes, CMD_APPLY, 0, 1);
	record_three_nodes(&s);
	CHECK(report_finish(&s.report) == 6);
	doc = json_loads(scene_text(&s), 0, &e);
	CHECK(doc != NULL);
	CHECK_JSON(json_object_get(doc, "reboot_pending"), "[\"pve1\"]");
	CHECK_JSON(json_object_get(doc, "drift"), "[]");
	CHECK(json_integer_value(json_object_get(doc, "exit_status")) == 6);
	CHECK_STR(json_string_value(json_object_get(doc, "inventory")), "hosts.ini");
	CHECK_JSON(json_object_get(json_object_get(doc, "stats"), "pve2"),
		   "{\"ok\": 1, \"changed\": 0, \"unreachable\": 0, \"failures\": 1, \"skipped\": 1, \"rescued\": 0,"
		   " \"ignored\": 0}");
	{
		json_t *h1 = json_object_get(json_object_get(doc, "hosts"), "pve1");
		json_t *h3 = json_object_get(json_object_get(doc, "hosts"), "pve3");

		CHECK_STR(json_string_value(json_object_get(h1, "status")), "changed");
		CHECK(json_is_true(json_object_get(h1, "agent_sent")));
		CHECK(json_is_true(json_object_get(h1, "reboot_pending")));
		CHECK_STR(json_string_value(json_object_get(h1, "host_key")), "ED25519 SHA256:abc");
		CHECK(json_array_size(json_object_get(h1, "steps")) == 3);
		CHECK_STR(json_string_value(json_object_get(json_object_get(h1, "facts"), "boot") ?
			  json_object_get(json_object_get(json_object_get(h1, "facts"), "boot"), "loader") : NULL),
			  "systemd-boot");
		CHECK_STR(json_string_value(json_object_get(h3, "status")), "unreachable");
		CHECK_STR(json_string_value(json_object_get(h3, "msg")),
			  "cannot connect to 'root@10.0.0.3:22': Connection refused");
	}
	/* written a host at a time, as jansson writes the document whole */
	{
		char *whole = json_dumps(doc, JSON_INDENT(2));
		size_t n = strlen(whole);

		whole = realloc(whole, n + 2);
		memcpy(whole + n, "\n", 2);
		CHECK_STR(scene_text(&s), whole);
		free(whole);
	}
	json_decref(doc);
	scene_close(&s);
}

/* json_writer writes what json_dumpf(JSON_INDENT(2)) writes of the whole
 * document: nested and empty objects and arrays, escapes, non-ASCII keys,
 * reals, null. */
static void
json_writer_writes_what_jansson_writes_whole(void)
{
	static const char *const doc_text =
		"{\"orch\": \"0.1\", \"empty\": {}, \"list\": [], \"hosts\": {"
		"\"pve1\": {\"steps\": [{\"msg\": \"a\\nb \\\"q\\\" \\u001b[2J\", \"n\": [1, 2.5, null, true]}],"
		" \"facts\": {\"devices\": [], \"group\": {}}},"
		"\"n\\u00f6de-2\": {\"status\": \"unreachable\"}, \"h3\": null},"
		"\"stats\": {}, \"seconds\": 0.1234567}";
	json_error_t e;
	json_t *doc = json_loads(doc_text, 0, &e), *hosts, *v;
	const char *k;
	char *want, *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	struct json_writer w;

	CHECK(doc != NULL);
	json_writer_open(&w, out);
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "hosts") == 0 || strcmp(k, "stats") == 0) {
			const char *hk;
			json_t *hv;

			hosts = v;
			json_writer_begin(&w, k);
			json_object_foreach(hosts, hk, hv)
				json_writer_member(&w, hk, json_incref(hv));
			json_writer_end(&w);
		} else
			json_writer_member(&w, k, json_incref(v));
	}
	json_writer_end(&w);
	fclose(out);
	want = json_dumps(doc, JSON_INDENT(2));
	CHECK(strlen(got) == strlen(want) + 1 && got[strlen(want)] == '\n');
	got[strlen(want)] = '\0';
	CHECK_STR(got, want);
	free(want);
	free(got);
	json_decref(doc);
}

static void
drift_under_check_is_its_own_exit_bit_and_note(void)
{
	struct scene s;

	scene_open(&s, "pve1 passthrough=82:00\npve2 passthrough=82:00\n", CMD_APPLY, 1, 0);
	line(&s, 0, "{\"type\": \"result\", \"name\": \"kernel_cmdline\", \"status\": \"changed\", \"msg\": \"m\"}");
	line(&s, 0, "{\"type\": \"summary\", \"reboot_pending\": true}");
	results_done(&s.res, 0, 0.1, 0, 0, "");
	line(&s, 1, "{\"type\": \"result\", \"name\": \"kernel_cmdline\", \"status\": \"ok\", \"msg\": \"m\"}");
	line(&s, 1, "{\"type\": \"summary\", \"reboot_pending\": false}");
	results_done(&s.res, 1, 0.1, 0, 0, "");
	CHECK(report_finish(&s.report) == EXIT_DRIFT);
	CONTAINS(scene_text(&s), "DRIFT: pve1\n  these nodes would change (--check: exit status has 8)\n");
	CONTAINS(scene_text(&s), "REBOOT PENDING: pve1\n  the change is live after a reboot of these nodes (--check)\n");
	scene_close(&s);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;

	if (f == NULL)
		return NULL;
	if (getdelim(&buf, &n, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
junit_has_a_case_per_planned_step(void)
{
	struct scene s;
	char path[] = "/tmp/orch-junit.XXXXXX";
	int fd = mkstemp(path);
	char *xml;

	CHECK(fd >= 0);
	close(fd);
	scene_open(&s, three_nodes, CMD_APPLY, 0, 0);
	s.opts.junit = path;
	record_three_nodes(&s);
	CHECK(report_finish(&s.report) == 6);
	xml = slurp(path);
	CONTAINS(xml, "<testsuites name=\"orch apply\" tests=\"27\" failures=\"1\" errors=\"21\" skipped=\"1\"");
	CONTAINS(xml, "<testcase classname=\"pve1\" name=\"kernel_cmdline\" time=\"0\"><system-out>changed: "
		 "add intel_iommu=on</system-out></testcase>");
	/* XML 1.0 has no ESC or BEL: dropped */
	CONTAINS(xml, "<testcase classname=\"pve2\" name=\"devices\" time=\"0\"><failure type=\"failed\" "
		 "message=\"group 14 holds 0000:82:00.1]0;x\"/></testcase>");
	CONTAINS(xml, "<testcase classname=\"pve2\" name=\"kernel_cmdline\" time=\"0\"><skipped message=\"not run\"/>");
	CONTAINS(xml, "<testcase classname=\"pve2\" name=\"vfio_modules\" time=\"0\"><error type=\"no result\" "
		 "message=\"the agent gave no result for this step\"/>");
	CONTAINS(xml, "<testcase classname=\"pve3\" name=\"facts\" time=\"0\"><error type=\"unreachable\" "
		 "message=\"cannot connect to 'root@10.0.0.3:22': Connection refused\"/>");
	free(xml);
	unlink(path);
	scene_close(&s);
}

static void
facts_table_shows_the_selection_escaped(void)
{
	struct scene s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	scene_open(&s, "pve1 passthrough=82:00\npve2\n", CMD_FACTS, 0, 0);
	line(&s, 0, FACTS_LINE);
	results_done(&s.res, 0, 0.1, 0, 0, "");
	results_unreachable(&s.res, 1, "cannot connect\x1b[1A");
	results_done(&s.res, 1, 0.1, 0, 0, "");
	f = open_memstream(&buf, &len);
	facts_print_table(f, &s.fleet, 0);
	fclose(f);
	CONTAINS(buf, "HOST  LOADER       KERNEL                 IOMMU IRQ-REMAP REBOOT-PENDING\n");
	CONTAINS(buf, "pve1  systemd-boot 6.8.12-4-pve           on    yes       no\n");
	/* 82:00 is domain 0000's slot: not 0001:82:00.0 */
	CONTAINS(buf, "  0000:82:00.0 10de:1b81 NVIDIA GP104 \\x1b[2J  driver nouveau  group 14");
	CHECK(strstr(buf, "0001:82:00.0") == NULL);
	CONTAINS(buf, "pve2  UNREACHABLE: cannot connect\\x1b[1A\n");
	free(buf);
	scene_close(&s);
}

/* What the store keeps of a finished host is each line's text: a reader
 * gets the object decoded (the same as it came), and outcome_compact()
 * drops the decoded copy again. */
static void
results_keep_lines_as_text_and_decode_them_on_demand(void)
{
	struct scene s;
	const struct outcome *o;
	const struct step_result *facts;
	json_t *want = json_loads(FACTS_LINE, 0, NULL);

	scene_open(&s, three_nodes, CMD_APPLY, 0, 0);
	record_three_nodes(&s);
	o = &s.fleet.hosts[0].outcome;
	CHECK(o->nsteps == 3);
	for (size_t k = 0; k < o->nsteps; k++)
		CHECK(o->steps[k].line == NULL && o->steps[k].text != NULL);
	CHECK((facts = outcome_find(o, "facts")) != NULL);
	CHECK(json_equal(step_line(facts), want));
	CHECK(step_line(facts) == facts->line);
	CHECK_STR(json_string_value(json_object_get(json_object_get(outcome_facts(o), "boot"), "loader")),
		  "systemd-boot");
	outcome_compact(o);
	CHECK(facts->line == NULL);
	CHECK(json_equal(step_line(facts), want));
	/* the summary is text too; what the report asks of it is kept */
	CHECK(outcome_reboot_pending(o) && !outcome_reboot_pending(&s.fleet.hosts[1].outcome));
	json_decref(want);
	scene_close(&s);
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"live_text_prints_each_result_as_it_is_recorded", live_text_prints_each_result_as_it_is_recorded},
		{"recap_counts_as_ansible_and_notes_the_pending_reboot",
		 recap_counts_as_ansible_and_notes_the_pending_reboot},
		{"json_document_holds_each_hosts_outcome", json_document_holds_each_hosts_outcome},
		{"json_writer_writes_what_jansson_writes_whole", json_writer_writes_what_jansson_writes_whole},
		{"drift_under_check_is_its_own_exit_bit_and_note", drift_under_check_is_its_own_exit_bit_and_note},
		{"junit_has_a_case_per_planned_step", junit_has_a_case_per_planned_step},
		{"facts_table_shows_the_selection_escaped", facts_table_shows_the_selection_escaped},
		{"results_keep_lines_as_text_and_decode_them_on_demand",
		 results_keep_lines_as_text_and_decode_them_on_demand},
		{NULL, NULL},
	};

	return harness_main(tests, argc, argv);
}
