/* orch-agent: reads one plan on stdin, gathers the node's facts, runs the
 * plan's steps in order and writes a JSON line per step and a summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "facts.h"
#include "plan.h"
#include "protocol.h"
#include "steps.h"

static void emit(struct agent *ag, json_t *line)
{
	char *s = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		fputs(s, ag->out);
		fputc('\n', ag->out);
		fflush(ag->out);
	}
	free(s);
	json_decref(line);
}

static void emit_result(struct agent *ag, struct result *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "type", "result", "name", r->name, "status",
	                      status_name(r->status), "msg", r->msg.s);
	if (r->reboot_needed)
		json_object_set_new(o, "reboot_needed", json_true());
	if (r->diff)
		json_object_set(o, "diff", r->diff);
	if (r->commands)
		json_object_set(o, "commands", r->commands);
	if (r->facts)
		json_object_set(o, "facts", r->facts);
	emit(ag, o);
}

static void emit_error(const char *msg)
{
	json_t *o = json_pack("{s:s, s:s}", "type", "error", "msg", msg);
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
	fprintf(stderr, "orch-agent: %s\n", msg);
}

static int read_stdin(char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		if (n == cap) {
			if (cap > PLAN_MAX_BYTES) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static void usage(void)
{
	printf("usage: orch-agent < plan.json\n"
	       "Reads an orch plan (protocol version %d) on stdin and writes one JSON result per line.\n"
	       "See docs/protocol.md.\n",
	       ORCH_PROTOCOL_VERSION);
}

int main(int argc, char **argv)
{
	struct agent ag = { .out = stdout };
	struct plan plan;
	char err[512], *text = NULL;
	size_t len = 0;
	int counts[4] = { 0 };
	bool failed = false;
	const char *failed_step = NULL;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("orch-agent %s (protocol %d)\n", ORCH_VERSION, ORCH_PROTOCOL_VERSION);
		return 0;
	}
	if (argc != 1) {
		usage();
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : ORCH_AGENT_EXIT_BADPLAN;
	}
	if (read_stdin(&text, &len) < 0) {
		snprintf(err, sizeof(err), "plan: cannot read stdin: %s", strerror(errno));
		emit_error(err);
		return ORCH_AGENT_EXIT_BADPLAN;
	}
	if (plan_parse(&plan, text, len, err, sizeof(err)) < 0) {
		free(text);
		emit_error(err);
		return ORCH_AGENT_EXIT_BADPLAN;
	}
	free(text);
	ag.root = plan.root;
	ag.host = plan.host;
	ag.check = plan.check;
	ag.diff = plan.diff;
	umask(022);

	if (facts_gather(&ag, err, sizeof(err)) < 0) {
		struct result r;
		result_init(&r, ORCH_STEP_FACTS);
		result_fail(&r, "cannot inspect the node: %s", err);
		emit_result(&ag, &r);
		result_release(&r);
		failed = true;
		failed_step = ORCH_STEP_FACTS;
		counts[ST_FAILED]++;
	}

	for (size_t i = 0; i < plan.nsteps; i++) {
		const struct step *st = &plan.steps[i];
		struct result r;

		result_init(&r, st->kind->name);
		if (failed) {
			r.status = ST_SKIPPED;
			result_msg(&r, "not run: step '%s' failed", failed_step);
		} else if (st->kind->run(&ag, st, &r) < 0 || r.status == ST_FAILED) {
			r.status = ST_FAILED;
			failed = true;
			failed_step = st->kind->name;
		}
		if (r.status == ST_CHANGED && r.reboot_needed)
			ag.reboot_needed = true;
		counts[r.status]++;
		emit_result(&ag, &r);
		result_release(&r);
	}

	bool pending = ag.reboot_needed;
	if (ag.facts.cmdline_configured && !cmdline_matches(ag.facts.cmdline_configured, ag.facts.cmdline_live))
		pending = true;
	for (size_t i = 0; i < ag.nsel; i++)
		if (!ag.sel[i].dev->driver || strcmp(ag.sel[i].dev->driver, "vfio-pci") != 0)
			pending = true;
	emit(&ag, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:s?, s:b}", "type", "summary", "agent",
	                    ORCH_VERSION, "protocol", ORCH_PROTOCOL_VERSION, "ok", counts[ST_OK], "changed",
	                    counts[ST_CHANGED], "failed", counts[ST_FAILED], "skipped", counts[ST_SKIPPED],
	                    "reboot_pending", pending, "boot_id", ag.facts.boot_id, "check", ag.check));
	facts_release(&ag.facts);
	free(ag.sel);
	plan_release(&plan);
	return failed ? ORCH_AGENT_EXIT_FAILED : ORCH_AGENT_EXIT_OK;
}
