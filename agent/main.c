/* orch-agent: reads one plan on stdin, gathers the node's facts, runs the
 * plan's steps in order and writes a JSON line per step and a summary. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "base64.h"
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
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "type", orch_message_name(ORCH_MSG_RESULT), "name", r->name, "status",
	                      orch_status_name(r->status), "msg", r->msg.s);
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
	json_t *o = json_pack("{s:s, s:s}", "type", orch_message_name(ORCH_MSG_ERROR), "msg", msg);
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
	fprintf(stderr, "orch-agent: %s\n", msg);
}

static void emit_summary(struct agent *ag, const int counts[4], bool check)
{
	bool pending = ag->reboot_needed;

	if (ag->facts.cmdline_configured && !cmdline_matches(ag->facts.cmdline_configured, ag->facts.cmdline_live))
		pending = true;
	for (size_t i = 0; i < ag->nsel; i++)
		if (!ag->sel[i].dev->driver || strcmp(ag->sel[i].dev->driver, "vfio-pci") != 0)
			pending = true;
	emit(ag, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:s?, s:b}", "type", orch_message_name(ORCH_MSG_SUMMARY), "agent",
	                   ORCH_VERSION, "protocol", ORCH_PROTOCOL_VERSION, "ok", counts[ORCH_OK], "changed",
	                   counts[ORCH_CHANGED], "failed", counts[ORCH_FAILED], "skipped", counts[ORCH_SKIPPED],
	                   "reboot_pending", pending, "boot_id", ag->facts.boot_id, "check", check));
}

/* Runs the plan's steps in order: a result line each, then the summary
 * (whose "check" is the plan's). Returns whether a step failed. */
static bool run_steps(struct agent *ag, const struct plan *plan)
{
	int counts[4] = { 0 };
	bool failed = false;
	const char *failed_step = NULL;

	for (size_t i = 0; i < plan->nsteps; i++) {
		const struct step *st = &plan->steps[i];
		struct result r;

		result_init(&r, st->kind->name);
		if (failed) {
			r.status = ORCH_SKIPPED;
			result_msg(&r, "not run: step '%s' failed", failed_step);
		} else if (st->kind->run(ag, st, &r) < 0 || r.status == ORCH_FAILED) {
			r.status = ORCH_FAILED;
			failed = true;
			failed_step = st->kind->name;
		}
		if (r.status == ORCH_CHANGED && r.reboot_needed)
			ag->reboot_needed = true;
		counts[r.status]++;
		emit_result(ag, &r);
		result_release(&r);
	}
	emit_summary(ag, counts, plan->check);
	return failed;
}

/* The child's answer, at most this much: the facts of a large node are a
 * few hundred KiB. */
#define PREFLIGHT_MAX_OUTPUT (64u << 20)

/* The check run's lines when a step would fail: what would have changed is
 * reported skipped, the failure as it is, and the counts again. */
static void emit_refusal(struct agent *ag, const char *text)
{
	int counts[4] = { 0 };
	const char *failed_step = NULL;
	json_t *lines = json_array(), *line;
	size_t i;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		json_t *o = json_loadb(p, n, 0, NULL);
		if (o)
			json_array_append_new(lines, o);
		p += n + (nl ? 1 : 0);
	}
	json_array_foreach(lines, i, line) {
		const char *status = json_string_value(json_object_get(line, "status"));
		if (!failed_step && status && strcmp(status, orch_status_name(ORCH_FAILED)) == 0)
			failed_step = json_string_value(json_object_get(line, "name"));
	}
	json_array_foreach(lines, i, line) {
		const char *type = json_string_value(json_object_get(line, "type"));
		const char *status = json_string_value(json_object_get(line, "status"));
		if (type && strcmp(type, orch_message_name(ORCH_MSG_SUMMARY)) == 0) {
			json_object_set_new(line, "ok", json_integer(counts[ORCH_OK]));
			json_object_set_new(line, "changed", json_integer(0));
			json_object_set_new(line, "failed", json_integer(counts[ORCH_FAILED]));
			json_object_set_new(line, "skipped", json_integer(counts[ORCH_SKIPPED]));
		} else if (status && strcmp(status, orch_status_name(ORCH_CHANGED)) == 0) {
			char *msg = xasprintf("not run: step '%s' would fail, so nothing was changed on this node",
			                      failed_step ? failed_step : "?");
			json_object_set_new(line, "status", json_string(orch_status_name(ORCH_SKIPPED)));
			json_object_set_new(line, "msg", json_string(msg));
			json_object_del(line, "diff");
			json_object_del(line, "commands");
			json_object_del(line, "reboot_needed");
			free(msg);
			counts[ORCH_SKIPPED]++;
		} else if (status) {
			counts[strcmp(status, orch_status_name(ORCH_FAILED)) == 0    ? ORCH_FAILED
			       : strcmp(status, orch_status_name(ORCH_SKIPPED)) == 0 ? ORCH_SKIPPED
			                                                  : ORCH_OK]++;
		}
		emit(ag, json_incref(line));
	}
	json_decref(lines);
}

/* A plan run for real is first run in check mode, in a child process so
 * that nothing of it stays behind: a node orch cannot make right must fail
 * with nothing changed on it, whichever step finds out. When a step would
 * fail, that is the answer; when nothing would change, the check run's
 * lines are the answer (the real run would print the same). Returns 1 when
 * the real run must go ahead, 0 when the answer has been written (*failed
 * set). */
static int preflight(struct agent *ag, const struct plan *plan, bool *failed)
{
	int fds[2], status;
	pid_t pid;
	struct sb b;

	*failed = false;
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto cannot;
	fflush(ag->out);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		goto cannot;
	}
	if (pid == 0) {
		close(fds[0]);
		ag->out = fdopen(fds[1], "w");
		if (!ag->out)
			_exit(3);
		ag->check = true;
		bool f = run_steps(ag, plan);
		_exit(fclose(ag->out) == 0 ? (f ? 1 : 0) : 3);
	}
	close(fds[1]);
	sb_init(&b);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len < PREFLIGHT_MAX_OUTPUT)
			sb_add(&b, chunk, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1 || b.len >= PREFLIGHT_MAX_OUTPUT) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the check run before any change ended abnormally (%s %d); nothing was changed",
		         WIFSIGNALED(status) ? "signal" : "status",
		         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		emit(ag, json_pack("{s:s, s:s}", "type", orch_message_name(ORCH_MSG_ERROR), "msg", msg));
		*failed = true;
		sb_release(&b);
		return 0;
	}
	if (WEXITSTATUS(status) == 1) {
		emit_refusal(ag, b.s);
		*failed = true;
		sb_release(&b);
		return 0;
	}
	/* the summary is the last line: no change anywhere means no real run */
	const char *last = b.len > 1 ? memrchr(b.s, '\n', b.len - 1) : NULL;
	json_t *sum = json_loads(last ? last + 1 : b.s, 0, NULL);
	bool unchanged = sum && json_integer_value(json_object_get(sum, "changed")) == 0;
	json_decref(sum);
	if (unchanged) {
		fwrite(b.s, 1, b.len, ag->out);
		fflush(ag->out);
	}
	sb_release(&b);
	return unchanged ? 0 : 1;
cannot:
	emit(ag, json_pack("{s:s, s:s}", "type", orch_message_name(ORCH_MSG_ERROR), "msg", "cannot start the check run before any change; "
	                                                         "nothing was changed"));
	*failed = true;
	return 0;
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
	       "       orch-agent --plan BASE64\n"
	       "Reads an orch plan (protocol version %d) on stdin, or base64 in its argument, and writes one\n"
	       "JSON result per line. See docs/protocol.md.\n",
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

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("orch-agent %s (protocol %d)\n", ORCH_VERSION, ORCH_PROTOCOL_VERSION);
		return 0;
	}
	/* The controller's way: the plan on the command line, which costs no
	 * round trip of its own (an SSH server gives a session's stdin no
	 * window before its command runs). */
	if (argc == 3 && strcmp(argv[1], "--plan") == 0) {
		if (strlen(argv[2]) > PLAN_MAX_BYTES / 3 * 4 ||
		    (text = (char *)orch_base64_decode(argv[2], &len)) == NULL) {
			emit_error("plan: the argument of --plan is not base64");
			return ORCH_AGENT_EXIT_BADPLAN;
		}
	} else if (argc != 1) {
		usage();
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : ORCH_AGENT_EXIT_BADPLAN;
	} else if (read_stdin(&text, &len) < 0) {
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
		counts[ORCH_FAILED]++;
		for (size_t i = 0; i < plan.nsteps; i++) {
			result_init(&r, plan.steps[i].kind->name);
			r.status = ORCH_SKIPPED;
			result_msg(&r, "not run: step '%s' failed", ORCH_STEP_FACTS);
			counts[ORCH_SKIPPED]++;
			emit_result(&ag, &r);
			result_release(&r);
		}
		failed = true;
		emit_summary(&ag, counts, plan.check);
	} else if (ag.check) {
		failed = run_steps(&ag, &plan);
	} else {
		int pf = preflight(&ag, &plan, &failed);
		if (pf > 0)
			failed = run_steps(&ag, &plan);
	}
	facts_release(&ag.facts);
	free(ag.sel);
	plan_release(&plan);
	return failed ? ORCH_AGENT_EXIT_FAILED : ORCH_AGENT_EXIT_OK;
}
