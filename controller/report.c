#include "report.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "fleet.h"
#include "json_writer.h"
#include "protocol.h"

#define C_OK "\033[0;32m"
#define C_CHANGED "\033[0;33m"
#define C_FAILED "\033[0;31m"
#define C_UNREACHABLE "\033[1;31m"
#define C_SKIPPED "\033[0;36m"
#define C_DIFF_ADD "\033[0;32m"
#define C_DIFF_DEL "\033[0;31m"
#define C_DIFF_HUNK "\033[0;36m"
#define C_NOTE "\033[0;35m"
#define C_RESET "\033[0m"

static void on_step(void *ctx, const struct host *h, const struct step_result *s);
static void on_problem(void *ctx, const struct host *h);
static void on_done(void *ctx, const struct host *h);

void
report_init(struct report *r, const struct options *opts, struct results *res)
{
	const char *nc = getenv("NO_COLOR");

	*r = (struct report){
		.opts = opts, .res = res, .out = stdout,
		.color = isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0'),
		.stream = !opts->json, .started = now(),
	};
	res->obs = (struct results_observer){on_step, on_problem, on_done, r};
}

/* ansible's banner: the title, then stars to column 79. */
static void
banner(struct report *r, const char *title)
{
	int stars = 79 - (int)strlen(title);

	fprintf(r->out, "\n%s ", title);
	for (int i = 0; i < (stars > 3 ? stars : 3); i++)
		fputc('*', r->out);
	fputc('\n', r->out);
}

void
report_begin(struct report *r)
{
	static const char *const what[] = {
		[CMD_APPLY] = "apply", [CMD_FACTS] = "facts", [CMD_ROLLBACK] = "rollback",
		[CMD_INVENTORY] = "inventory", [CMD_NONE] = "",
	};
	char title[512], sources[400];

	if (!r->stream || r->opts->command == CMD_FACTS)
		return;
	snprintf(title, sizeof(title), "PLAY [orch %s %s%s]", what[r->opts->command],
		 cli_sources(r->opts, sources, sizeof(sources)), r->opts->check ? " (check mode)" : "");
	banner(r, title);
	fflush(r->out);
}

static const char *
color(const struct report *r, const char *c)
{
	return r->color ? c : "";
}

/* Writes n bytes of s, which came from a node (escape.h). */
static void
put_text(FILE *f, const char *s, size_t n)
{
	orch_escape_put(f, s, n);
}

static void
put_str(FILE *f, const char *s)
{
	put_text(f, s, s != NULL ? strlen(s) : 0);
}

static void
print_diff(struct report *r, json_t *diff)
{
	size_t i;
	json_t *d;

	json_array_foreach(diff, i, d) {
		const char *u = json_string_value(json_object_get(d, "unified"));

		for (const char *p = u; p != NULL && *p; ) {
			size_t n = strcspn(p, "\n");
			const char *c = "";

			if (p[0] == '+' && strncmp(p, "+++", 3) != 0)
				c = C_DIFF_ADD;
			else if (p[0] == '-' && strncmp(p, "---", 3) != 0)
				c = C_DIFF_DEL;
			else if (p[0] == '@')
				c = C_DIFF_HUNK;
			fputs(color(r, c), r->out);
			put_text(r->out, p, n);
			fprintf(r->out, "%s\n", *c ? color(r, C_RESET) : "");
			p += n;
			if (*p == '\n')
				p++;
		}
	}
}

static void
print_commands(struct report *r, json_t *cmds)
{
	size_t i, j;
	json_t *c, *a;

	json_array_foreach(cmds, i, c) {
		const char *out = json_string_value(json_object_get(c, "output"));

		fputs("    $", r->out);
		json_array_foreach(json_object_get(c, "argv"), j, a) {
			fputc(' ', r->out);
			put_str(r->out, json_string_value(a) ? json_string_value(a) : "?");
		}
		if (json_is_integer(json_object_get(c, "rc")))
			fprintf(r->out, "  (exit %lld)\n", (long long)json_integer_value(json_object_get(c, "rc")));
		else
			fputs("  (not run)\n", r->out);
		for (const char *p = out; p != NULL && *p; ) {
			size_t n = strcspn(p, "\n");

			fputs("      ", r->out);
			put_text(r->out, p, n);
			fputc('\n', r->out);
			p += n;
			if (*p == '\n')
				p++;
		}
	}
}

static void
print_result(struct report *r, const struct host *h, const struct step_result *res)
{
	const char *msg = json_string_value(json_object_get(step_line(res), "msg"));
	const char *name = h->plan.target.name;

	switch (res->status) {
	case ORCH_FAILED:
		fprintf(r->out, "%sfatal: [%s]: FAILED! => ", color(r, C_FAILED), name);
		break;
	case ORCH_CHANGED:
		fprintf(r->out, "%schanged: [%s] ", color(r, C_CHANGED), name);
		break;
	case ORCH_SKIPPED:
		fprintf(r->out, "%sskipping: [%s] ", color(r, C_SKIPPED), name);
		break;
	case ORCH_OK:
		fprintf(r->out, "%sok: [%s] ", color(r, C_OK), name);
		break;
	}
	put_str(r->out, res->name);
	fputs(": ", r->out);
	put_str(r->out, msg != NULL ? msg : "");
	fprintf(r->out, "%s\n", color(r, C_RESET));
	if (r->opts->diff)
		print_diff(r, json_object_get(step_line(res), "diff"));
	if (r->opts->verbose)
		print_commands(r, json_object_get(step_line(res), "commands"));
}

/* The live text: results.c calls these under its lock. `orch facts` prints
 * its table at the end, and only failed steps as they come. */
static void
on_step(void *ctx, const struct host *h, const struct step_result *s)
{
	struct report *r = ctx;

	if (r->stream && (r->opts->command != CMD_FACTS || s->status == ORCH_FAILED)) {
		print_result(r, h, s);
		fflush(r->out);
	}
}

static void
on_problem(void *ctx, const struct host *h)
{
	struct report *r = ctx;

	if (!r->stream)
		return;
	if (h->outcome.state == HOST_UNREACHABLE)
		fprintf(r->out, "%sfatal: [%s]: UNREACHABLE! => ", color(r, C_UNREACHABLE), h->plan.target.name);
	else
		fprintf(r->out, "%sfatal: [%s]: FAILED! => ", color(r, C_FAILED), h->plan.target.name);
	put_str(r->out, h->outcome.msg);
	fprintf(r->out, "%s\n", color(r, C_RESET));
	fflush(r->out);
}

static void
on_done(void *ctx, const struct host *h)
{
	struct report *r = ctx;

	if (h->outcome.recorded_key && r->stream) {
		fprintf(r->out, "%s[%s] recorded host key %s (--accept-new)%s\n", color(r, C_NOTE),
			h->plan.target.name, h->outcome.fingerprint, color(r, C_RESET));
		fflush(r->out);
	}
}

static const char *
state_name(const struct outcome *o)
{
	switch (o->state) {
	case HOST_UNREACHABLE: return "unreachable";
	case HOST_FAILED: return "failed";
	case HOST_DONE: return o->count[ORCH_CHANGED] > 0 ? "changed" : "ok";
	default: return "pending";
	}
}

/* The figures of PLAY RECAP and of the JSON stats, as ansible counts them:
 * ok includes changed; a host that failed outside a step counts a failure. */
struct recap_counts {
	int ok, changed, unreachable, failed, skipped;
};

static struct recap_counts
recap_counts(const struct outcome *o)
{
	struct recap_counts c = {
		.ok = o->count[ORCH_OK] + o->count[ORCH_CHANGED], .changed = o->count[ORCH_CHANGED],
		.unreachable = o->state == HOST_UNREACHABLE,
		.failed = o->count[ORCH_FAILED] + (o->state == HOST_FAILED && o->count[ORCH_FAILED] == 0),
		.skipped = o->count[ORCH_SKIPPED],
	};

	return c;
}

static void
recap(struct report *r)
{
	const struct fleet *f = r->res->fleet;

	banner(r, "PLAY RECAP");
	for (size_t i = 0; i < f->n; i++) {
		const char *name = f->hosts[i].plan.target.name;
		struct recap_counts n = recap_counts(&f->hosts[i].outcome);
		const char *hc = n.failed || n.unreachable ? C_FAILED : n.changed ? C_CHANGED : C_OK;
		struct { const char *lead; int n; const char *c; } col[] = {
			{"ok", n.ok, C_OK}, {"changed", n.changed, C_CHANGED},
			{"unreachable", n.unreachable, C_UNREACHABLE}, {"failed", n.failed, C_FAILED},
			{"skipped", n.skipped, C_SKIPPED}, {"rescued", 0, C_OK}, {"ignored", 0, C_OK},
		};

		/* ansible pads the coloured name to 37: 26 and the escapes. */
		if (r->color) {
			char buf[512];

			snprintf(buf, sizeof(buf), "%s%s%s", hc, name, C_RESET);
			fprintf(r->out, "%-37s :", buf);
		} else
			fprintf(r->out, "%-26s :", name);
		for (size_t c = 0; c < sizeof(col) / sizeof(col[0]); c++) {
			char cell[64];

			snprintf(cell, sizeof(cell), "%s=%-4d", col[c].lead, col[c].n);
			if (r->color && col[c].n != 0)
				fprintf(r->out, " %s%s%s", col[c].c, cell, C_RESET);
			else
				fprintf(r->out, " %s", cell);
		}
		fputc('\n', r->out);
	}
	fputc('\n', r->out);
}

static void
pending_note(struct report *r)
{
	const struct fleet *f = r->res->fleet;
	int first = 1;

	if (r->opts->command != CMD_APPLY && r->opts->command != CMD_ROLLBACK)
		return;
	for (size_t i = 0; i < f->n; i++) {
		if (!outcome_reboot_pending(&f->hosts[i].outcome))
			continue;
		fprintf(r->out, "%s%s%s", first ? color(r, C_NOTE) : "", first ? "REBOOT PENDING: " : ", ",
			f->hosts[i].plan.target.name);
		first = 0;
	}
	if (!first)
		fprintf(r->out, "\n  the change is live after a reboot of these nodes%s%s\n",
			r->opts->reboot == REBOOT_NEVER ? " (--reboot never)" : r->opts->check ? " (--check)" : "",
			color(r, C_RESET));
}

/* Under --check, the nodes that would change: the reason for exit status 8. */
static void
drift_note(struct report *r)
{
	const struct fleet *f = r->res->fleet;
	int first = 1;

	for (size_t i = 0; i < f->n; i++) {
		if (!results_drift(r->res, &f->hosts[i].outcome))
			continue;
		fprintf(r->out, "%s%s%s", first ? color(r, C_CHANGED) : "", first ? "DRIFT: " : ", ",
			f->hosts[i].plan.target.name);
		first = 0;
	}
	if (!first)
		fprintf(r->out, "\n  these nodes would change (--check: exit status has %d)%s\n", EXIT_DRIFT,
			color(r, C_RESET));
}

/* The --json document, written a host at a time (json_writer.h): each
 * host's facts are decoded, written and let go before the next's. */
static void
json_report(struct report *r, int status)
{
	static const char *const cmd[] = {
		[CMD_APPLY] = "apply", [CMD_FACTS] = "facts", [CMD_ROLLBACK] = "rollback",
		[CMD_INVENTORY] = "inventory", [CMD_NONE] = "",
	};
	json_t *pending = json_array(), *drift = json_array(), *sources = json_array();
	const struct fleet *f = r->res->fleet;
	struct json_writer w;
	char joined[4096];

	for (size_t k = 0; k < r->opts->ninventories; k++)
		json_array_append_new(sources, json_string(r->opts->inventories[k]));
	json_writer_open(&w, r->out);
	json_writer_member(&w, "orch", json_string(ORCH_VERSION));
	json_writer_member(&w, "command", json_string(cmd[r->opts->command]));
	json_writer_member(&w, "inventory", json_string(cli_sources(r->opts, joined, sizeof(joined))));
	json_writer_member(&w, "inventories", sources);
	json_writer_member(&w, "check", json_boolean(r->opts->check));
	json_writer_member(&w, "diff", json_boolean(r->opts->diff));
	json_writer_begin(&w, "hosts");
	for (size_t i = 0; i < f->n; i++) {
		const struct outcome *o = &f->hosts[i].outcome;
		json_t *steps = json_array();

		for (size_t k = 0; k < o->nsteps; k++)
			json_array_append(steps, step_line(&o->steps[k]));
		json_writer_member(&w, f->hosts[i].plan.target.name,
			json_pack("{s:s,s:s?,s:b,s:f,s:b,s:b,s:s?,s:o,s:o?,s:O?}",
				  "status", state_name(o), "msg", o->msg, "agent_sent", o->agent_sent,
				  "seconds", o->seconds, "reboot_pending", outcome_reboot_pending(o),
				  "drift", results_drift(r->res, o), "host_key", o->fingerprint[0] ? o->fingerprint : NULL,
				  "steps", steps, "summary", o->summary ? json_loads(o->summary, 0, NULL) : NULL,
				  "facts", outcome_facts(o)));
		outcome_compact(o);
	}
	json_writer_end(&w);
	json_writer_begin(&w, "stats");
	for (size_t i = 0; i < f->n; i++) {
		const char *name = f->hosts[i].plan.target.name;
		const struct outcome *o = &f->hosts[i].outcome;
		struct recap_counts n = recap_counts(o);

		json_writer_member(&w, name, json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
			"ok", n.ok, "changed", n.changed, "unreachable", n.unreachable,
			"failures", n.failed, "skipped", n.skipped, "rescued", 0, "ignored", 0));
		if (outcome_reboot_pending(o))
			json_array_append_new(pending, json_string(name));
		if (results_drift(r->res, o))
			json_array_append_new(drift, json_string(name));
	}
	json_writer_end(&w);
	json_writer_member(&w, "reboot_pending", pending);
	json_writer_member(&w, "drift", drift);
	json_writer_member(&w, "exit_status", json_integer(status));
	json_writer_member(&w, "seconds", json_real(now() - r->started));
	json_writer_end(&w);
}

static void
xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\n': fputs("&#10;", f); break;
		case '\t': fputs("&#9;", f); break;
		default:
			/* XML 1.0 has no other control characters. */
			if (c >= 0x20 || c == '\r')
				fputc(c, f);
		}
	}
}

/* A host's testcases by outcome: one per planned step; no result is an
 * error; a changed step of a host in drift (--check) is counted in drift,
 * and passes. */
struct junit_counts {
	int tests, failures, errors, skipped, drift;
};

static void
junit_count(const struct report *r, const struct outcome *o, struct junit_counts *out)
{
	size_t j;
	json_t *s;

	*out = (struct junit_counts){0};
	json_array_foreach(o->planned, j, s) {
		const struct step_result *res = outcome_find(o, json_string_value(s));

		out->tests++;
		if (res == NULL)
			out->errors++;
		else if (res->status == ORCH_FAILED)
			out->failures++;
		else if (res->status == ORCH_SKIPPED)
			out->skipped++;
		else if (res->status == ORCH_CHANGED && results_drift(r->res, o))
			out->drift++;
	}
}

static int
write_junit(struct report *r, const char *path)
{
	char tmp[4096];
	FILE *f;
	struct junit_counts all = {0}, c;
	const struct fleet *fl = r->res->fleet;

	for (size_t i = 0; i < fl->n; i++) {
		junit_count(r, &fl->hosts[i].outcome, &c);
		all.tests += c.tests;
		all.failures += c.failures;
		all.errors += c.errors;
		all.skipped += c.skipped;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "orch: cannot write '%s': %m\n", tmp);
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"orch %s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
		r->opts->command == CMD_ROLLBACK ? "rollback" : r->opts->command == CMD_FACTS ? "facts" : "apply",
		all.tests, all.failures, all.errors, all.skipped, now() - r->started);
	for (size_t i = 0; i < fl->n; i++) {
		const char *name = fl->hosts[i].plan.target.name;
		const struct outcome *o = &fl->hosts[i].outcome;
		size_t j;
		json_t *s;

		junit_count(r, o, &c);
		fputs("  <testsuite name=\"", f);
		xml_escape(f, name);
		fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
			c.tests, c.failures, c.errors, c.skipped, o->seconds);
		/* Drift is neither a failure nor an error: the check itself went
		 * well. CI systems show a suite's properties (Jenkins) and a
		 * case's output (Jenkins, GitLab); exit status 8 is what a
		 * pipeline acts on (docs/controller.md). */
		if (r->res->check)
			fprintf(f, "    <properties><property name=\"orch.drift\" value=\"%d\"/></properties>\n", c.drift);
		json_array_foreach(o->planned, j, s) {
			const char *step = json_string_value(s);
			const struct step_result *res = outcome_find(o, step);
			const char *msg = res ? json_string_value(json_object_get(step_line(res), "msg")) : NULL;

			fputs("    <testcase classname=\"", f);
			xml_escape(f, name);
			fputs("\" name=\"", f);
			xml_escape(f, step);
			fputs("\" time=\"0\">", f);
			if (res == NULL) {
				const char *why = o->state == HOST_UNREACHABLE ? "unreachable" : "no result";

				fprintf(f, "<error type=\"%s\" message=\"", why);
				xml_escape(f, o->msg ? o->msg : "the agent gave no result for this step");
				fputs("\"/>", f);
			} else if (res->status == ORCH_FAILED) {
				fputs("<failure type=\"failed\" message=\"", f);
				xml_escape(f, msg);
				fputs("\"/>", f);
			} else if (res->status == ORCH_SKIPPED) {
				fputs("<skipped message=\"", f);
				xml_escape(f, msg);
				fputs("\"/>", f);
			} else if (res->status == ORCH_CHANGED && results_drift(r->res, o)) {
				fputs("<properties><property name=\"orch.status\" value=\"drift\"/></properties>"
				      "<system-out>drift: ", f);
				xml_escape(f, msg);
				fputs("</system-out>", f);
			} else {
				fprintf(f, "<system-out>%s: ", orch_status_name(res->status));
				xml_escape(f, msg);
				fputs("</system-out>", f);
			}
			fputs("</testcase>\n", f);
		}
		outcome_compact(o);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		fprintf(stderr, "orch: cannot write '%s': %m\n", tmp);
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "orch: cannot rename '%s' to '%s': %m\n", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
report_finish(struct report *r)
{
	int status = results_exit_status(r->res);

	if (r->opts->json && r->opts->command != CMD_FACTS)
		json_report(r, status);
	else if (r->opts->command != CMD_FACTS) {
		recap(r);
		pending_note(r);
		drift_note(r);
	}
	fflush(r->out);
	if (r->opts->junit != NULL && write_junit(r, r->opts->junit) != 0)
		return EXIT_ERROR;
	return status;
}
