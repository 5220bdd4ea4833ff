#include "report.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/protocol.h"

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

int
report_init(struct report *r, const struct options *opts, size_t n,
	    const char *const *names, json_t *const *plans)
{
	const char *nc = getenv("NO_COLOR");

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->opts = opts;
	r->out = stdout;
	r->color = isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
	r->stream = !opts->json;
	r->n = n;
	r->started = now();
	if (n > 0 && (r->hosts = calloc(n, sizeof(*r->hosts))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *steps = json_object_get(plans[i], "steps"), *s;
		size_t j;

		r->hosts[i].name = names[i];
		r->hosts[i].results = json_array();
		r->hosts[i].steps = json_array();
		json_array_foreach(steps, j, s)
			json_array_append(r->hosts[i].steps, json_object_get(s, "name"));
	}
	return 0;
}

void
report_release(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->hosts[i].msg);
		json_decref(r->hosts[i].steps);
		json_decref(r->hosts[i].results);
		json_decref(r->hosts[i].summary);
	}
	free(r->hosts);
	r->hosts = NULL;
	pthread_mutex_destroy(&r->lock);
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

/* Writes n bytes of s, which came from a node: control characters (an
 * escape sequence, a line break in a one-line message) are written as \xNN,
 * so that no node can move the cursor or forge a line of the report. */
static void
put_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; s != NULL && i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
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
print_result(struct report *r, struct host_report *h, json_t *line)
{
	const char *name = json_string_value(json_object_get(line, "name"));
	const char *status = json_string_value(json_object_get(line, "status"));
	const char *msg = json_string_value(json_object_get(line, "msg"));

	if (name == NULL)
		name = "?";
	if (status == NULL)
		status = "?";
	if (msg == NULL)
		msg = "";
	if (strcmp(status, ORCH_STATUS_FAILED) == 0)
		fprintf(r->out, "%sfatal: [%s]: FAILED! => ", color(r, C_FAILED), h->name);
	else if (strcmp(status, ORCH_STATUS_CHANGED) == 0)
		fprintf(r->out, "%schanged: [%s] ", color(r, C_CHANGED), h->name);
	else if (strcmp(status, ORCH_STATUS_SKIPPED) == 0)
		fprintf(r->out, "%sskipping: [%s] ", color(r, C_SKIPPED), h->name);
	else
		fprintf(r->out, "%sok: [%s] ", color(r, C_OK), h->name);
	put_str(r->out, name);
	fputs(": ", r->out);
	put_str(r->out, msg);
	fprintf(r->out, "%s\n", color(r, C_RESET));
	if (r->opts->diff)
		print_diff(r, json_object_get(line, "diff"));
	if (r->opts->verbose)
		print_commands(r, json_object_get(line, "commands"));
}

void
report_line(struct report *r, size_t i, json_t *line)
{
	struct host_report *h = &r->hosts[i];
	const char *type = json_string_value(json_object_get(line, "type"));
	const char *status = json_string_value(json_object_get(line, "status"));

	pthread_mutex_lock(&r->lock);
	if (type != NULL && strcmp(type, "summary") == 0) {
		json_decref(h->summary);
		h->summary = json_incref(line);
	} else if (type != NULL && strcmp(type, "result") == 0) {
		json_array_append(h->results, line);
		if (status == NULL)
			;
		else if (strcmp(status, ORCH_STATUS_OK) == 0)
			h->ok++;
		else if (strcmp(status, ORCH_STATUS_CHANGED) == 0)
			h->changed++;
		else if (strcmp(status, ORCH_STATUS_FAILED) == 0)
			h->failed++;
		else if (strcmp(status, ORCH_STATUS_SKIPPED) == 0)
			h->skipped++;
		if (r->stream && (r->opts->command != CMD_FACTS || (status && strcmp(status, ORCH_STATUS_FAILED) == 0))) {
			print_result(r, h, line);
			fflush(r->out);
		}
	}
	pthread_mutex_unlock(&r->lock);
}

static void
host_problem(struct report *r, size_t i, enum host_state state, const char *msg)
{
	struct host_report *h = &r->hosts[i];

	pthread_mutex_lock(&r->lock);
	h->state = state;
	free(h->msg);
	h->msg = strdup(msg);
	if (r->stream) {
		if (state == HOST_UNREACHABLE)
			fprintf(r->out, "%sfatal: [%s]: UNREACHABLE! => ", color(r, C_UNREACHABLE), h->name);
		else
			fprintf(r->out, "%sfatal: [%s]: FAILED! => ", color(r, C_FAILED), h->name);
		put_str(r->out, msg);
		fprintf(r->out, "%s\n", color(r, C_RESET));
		fflush(r->out);
	}
	pthread_mutex_unlock(&r->lock);
}

void
report_unreachable(struct report *r, size_t i, const char *msg)
{
	host_problem(r, i, HOST_UNREACHABLE, msg);
}

void
report_failed(struct report *r, size_t i, const char *msg)
{
	host_problem(r, i, HOST_FAILED, msg);
}

void
report_done(struct report *r, size_t i, double seconds, int agent_sent,
	    int recorded_key, const char *fingerprint)
{
	struct host_report *h = &r->hosts[i];

	pthread_mutex_lock(&r->lock);
	h->seconds = seconds;
	h->agent_sent = agent_sent;
	h->recorded_key = recorded_key;
	snprintf(h->fingerprint, sizeof(h->fingerprint), "%s", fingerprint ? fingerprint : "");
	if (h->state == HOST_PENDING)
		h->state = h->failed > 0 ? HOST_FAILED : HOST_DONE;
	if (recorded_key && r->stream) {
		fprintf(r->out, "%s[%s] recorded host key %s (--accept-new)%s\n", color(r, C_NOTE), h->name,
			h->fingerprint, color(r, C_RESET));
		fflush(r->out);
	}
	pthread_mutex_unlock(&r->lock);
}

void
report_step(struct report *r, size_t i, json_t *line)
{
	struct host_report *h = &r->hosts[i];
	const char *name = json_string_value(json_object_get(line, "name"));
	const char *status = json_string_value(json_object_get(line, "status"));
	int known = 0;
	size_t j;
	json_t *s;

	pthread_mutex_lock(&r->lock);
	json_array_foreach(h->steps, j, s)
		known |= name != NULL && strcmp(json_string_value(s), name) == 0;
	if (!known && name != NULL)
		json_array_append_new(h->steps, json_string(name));
	if (status != NULL && strcmp(status, ORCH_STATUS_FAILED) == 0)
		h->state = HOST_FAILED;
	pthread_mutex_unlock(&r->lock);
	report_line(r, i, line);
}

void
report_step_status(struct report *r, size_t i, const char *step, const char *status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = json_pack("{s:s, s:s, s:s, s:s}", "type", "result", "name", step, "status", status, "msg", msg);
	report_step(r, i, line);
	json_decref(line);
}

json_t *
report_facts(const struct report *r, size_t i)
{
	size_t j;
	json_t *line;

	json_array_foreach(r->hosts[i].results, j, line) {
		const char *name = json_string_value(json_object_get(line, "name"));

		if (name != NULL && strcmp(name, ORCH_STEP_FACTS) == 0)
			return json_object_get(line, "facts");
	}
	return NULL;
}

/* 1 when h would change: a step of it reported "changed" under --check
 * (apply and rollback). */
static int
report_drift(const struct report *r, const struct host_report *h)
{
	return r->opts->check && (r->opts->command == CMD_APPLY || r->opts->command == CMD_ROLLBACK) &&
	       h->changed > 0;
}

int
report_exit_status(const struct report *r)
{
	int status = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (r->hosts[i].state == HOST_UNREACHABLE)
			status |= EXIT_HOST_UNREACHABLE;
		else if (r->hosts[i].state == HOST_FAILED)
			status |= EXIT_HOST_FAILED;
		if (report_drift(r, &r->hosts[i]))
			status |= EXIT_DRIFT;
	}
	return status;
}

static int
reboot_pending(const struct host_report *h)
{
	size_t j;
	json_t *line;

	if (h->state != HOST_DONE || !json_is_true(json_object_get(h->summary, "reboot_pending")))
		return 0;
	/* a rolling reboot that brought the node back settled it */
	json_array_foreach(h->results, j, line) {
		const char *name = json_string_value(json_object_get(line, "name"));
		const char *status = json_string_value(json_object_get(line, "status"));

		if (name && status && strcmp(name, ORCH_STEP_REBOOT) == 0 && strcmp(status, ORCH_STATUS_CHANGED) == 0)
			return 0;
	}
	return 1;
}

static const char *
state_name(const struct host_report *h)
{
	switch (h->state) {
	case HOST_UNREACHABLE: return "unreachable";
	case HOST_FAILED: return "failed";
	case HOST_DONE: return h->changed > 0 ? "changed" : "ok";
	default: return "pending";
	}
}

static void
recap(struct report *r)
{
	banner(r, "PLAY RECAP");
	for (size_t i = 0; i < r->n; i++) {
		const struct host_report *h = &r->hosts[i];
		int unreachable = h->state == HOST_UNREACHABLE;
		int failed = h->failed + (h->state == HOST_FAILED && h->failed == 0);
		const char *hc = failed || unreachable ? C_FAILED : h->changed ? C_CHANGED : C_OK;
		struct { const char *lead; int n; const char *c; } col[] = {
			{"ok", h->ok + h->changed, C_OK}, {"changed", h->changed, C_CHANGED},
			{"unreachable", unreachable, C_UNREACHABLE}, {"failed", failed, C_FAILED},
			{"skipped", h->skipped, C_SKIPPED}, {"rescued", 0, C_OK}, {"ignored", 0, C_OK},
		};

		/* ansible pads the coloured name to 37: 26 and the escapes. */
		if (r->color) {
			char buf[512];

			snprintf(buf, sizeof(buf), "%s%s%s", hc, h->name, C_RESET);
			fprintf(r->out, "%-37s :", buf);
		} else
			fprintf(r->out, "%-26s :", h->name);
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
	int first = 1;

	if (r->opts->command != CMD_APPLY && r->opts->command != CMD_ROLLBACK)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (!reboot_pending(&r->hosts[i]))
			continue;
		fprintf(r->out, "%s%s%s", first ? color(r, C_NOTE) : "", first ? "REBOOT PENDING: " : ", ",
			r->hosts[i].name);
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
	int first = 1;

	for (size_t i = 0; i < r->n; i++) {
		if (!report_drift(r, &r->hosts[i]))
			continue;
		fprintf(r->out, "%s%s%s", first ? color(r, C_CHANGED) : "", first ? "DRIFT: " : ", ",
			r->hosts[i].name);
		first = 0;
	}
	if (!first)
		fprintf(r->out, "\n  these nodes would change (--check: exit status has %d)%s\n", EXIT_DRIFT,
			color(r, C_RESET));
}

static json_t *
json_document(struct report *r, int status)
{
	static const char *const cmd[] = {
		[CMD_APPLY] = "apply", [CMD_FACTS] = "facts", [CMD_ROLLBACK] = "rollback",
		[CMD_INVENTORY] = "inventory", [CMD_NONE] = "",
	};
	json_t *doc, *hosts = json_object(), *stats = json_object(), *pending = json_array();
	json_t *drift = json_array(), *sources = json_array();
	char joined[4096];

	for (size_t i = 0; i < r->n; i++) {
		const struct host_report *h = &r->hosts[i];
		int unreachable = h->state == HOST_UNREACHABLE;
		int failed = h->failed + (h->state == HOST_FAILED && h->failed == 0);
		json_t *facts = report_facts(r, i);

		json_object_set_new(hosts, h->name, json_pack("{s:s,s:s?,s:b,s:f,s:b,s:b,s:s?,s:O,s:O?,s:O?}",
			"status", state_name(h), "msg", h->msg, "agent_sent", h->agent_sent,
			"seconds", h->seconds, "reboot_pending", reboot_pending(h), "drift", report_drift(r, h),
			"host_key", h->fingerprint[0] ? h->fingerprint : NULL,
			"steps", h->results, "summary", h->summary, "facts", facts));
		json_object_set_new(stats, h->name, json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
			"ok", h->ok + h->changed, "changed", h->changed, "unreachable", unreachable,
			"failures", failed, "skipped", h->skipped, "rescued", 0, "ignored", 0));
		if (reboot_pending(h))
			json_array_append_new(pending, json_string(h->name));
		if (report_drift(r, h))
			json_array_append_new(drift, json_string(h->name));
	}
	for (size_t k = 0; k < r->opts->ninventories; k++)
		json_array_append_new(sources, json_string(r->opts->inventories[k]));
	doc = json_pack("{s:s,s:s,s:s,s:o,s:b,s:b,s:o,s:o,s:o,s:o,s:i,s:f}",
			"orch", ORCH_VERSION, "command", cmd[r->opts->command],
			"inventory", cli_sources(r->opts, joined, sizeof(joined)), "inventories", sources,
			"check", r->opts->check, "diff", r->opts->diff,
			"hosts", hosts, "stats", stats, "reboot_pending", pending, "drift", drift,
			"exit_status", status, "seconds", now() - r->started);
	return doc;
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

static json_t *
find_result(const struct host_report *h, const char *step)
{
	size_t j;
	json_t *line;

	json_array_foreach(h->results, j, line) {
		const char *name = json_string_value(json_object_get(line, "name"));

		if (name != NULL && strcmp(name, step) == 0)
			return line;
	}
	return NULL;
}

/* A host's testcases by outcome: one per planned step; no result is an
 * error; a changed step of a host in drift (--check) is counted in drift,
 * and passes. */
struct junit_counts {
	int tests, failures, errors, skipped, drift;
};

static void
junit_count(const struct report *r, const struct host_report *h, struct junit_counts *out)
{
	size_t j;
	json_t *s;

	*out = (struct junit_counts){0};
	json_array_foreach(h->steps, j, s) {
		json_t *res = find_result(h, json_string_value(s));
		const char *st = json_string_value(json_object_get(res, "status"));

		out->tests++;
		if (res == NULL)
			out->errors++;
		else if (st && strcmp(st, ORCH_STATUS_FAILED) == 0)
			out->failures++;
		else if (st && strcmp(st, ORCH_STATUS_SKIPPED) == 0)
			out->skipped++;
		else if (st && strcmp(st, ORCH_STATUS_CHANGED) == 0 && report_drift(r, h))
			out->drift++;
	}
}

static int
write_junit(struct report *r, const char *path)
{
	char tmp[4096];
	FILE *f;
	struct junit_counts all = {0}, c;
	int check_run = r->opts->check && (r->opts->command == CMD_APPLY || r->opts->command == CMD_ROLLBACK);

	for (size_t i = 0; i < r->n; i++) {
		junit_count(r, &r->hosts[i], &c);
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
	for (size_t i = 0; i < r->n; i++) {
		const struct host_report *h = &r->hosts[i];
		size_t j;
		json_t *s;

		junit_count(r, h, &c);
		fputs("  <testsuite name=\"", f);
		xml_escape(f, h->name);
		fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
			c.tests, c.failures, c.errors, c.skipped, h->seconds);
		/* Drift is neither a failure nor an error: the check itself went
		 * well. CI systems show a suite's properties (Jenkins) and a
		 * case's output (Jenkins, GitLab); exit status 8 is what a
		 * pipeline acts on (docs/controller.md). */
		if (check_run)
			fprintf(f, "    <properties><property name=\"orch.drift\" value=\"%d\"/></properties>\n", c.drift);
		json_array_foreach(h->steps, j, s) {
			const char *step = json_string_value(s);
			json_t *res = find_result(h, step);
			const char *st = json_string_value(json_object_get(res, "status"));
			const char *msg = json_string_value(json_object_get(res, "msg"));

			fputs("    <testcase classname=\"", f);
			xml_escape(f, h->name);
			fputs("\" name=\"", f);
			xml_escape(f, step);
			fputs("\" time=\"0\">", f);
			if (res == NULL) {
				const char *why = h->state == HOST_UNREACHABLE ? "unreachable" : "no result";

				fprintf(f, "<error type=\"%s\" message=\"", why);
				xml_escape(f, h->msg ? h->msg : "the agent gave no result for this step");
				fputs("\"/>", f);
			} else if (st && strcmp(st, ORCH_STATUS_FAILED) == 0) {
				fputs("<failure type=\"failed\" message=\"", f);
				xml_escape(f, msg);
				fputs("\"/>", f);
			} else if (st && strcmp(st, ORCH_STATUS_SKIPPED) == 0) {
				fputs("<skipped message=\"", f);
				xml_escape(f, msg);
				fputs("\"/>", f);
			} else if (st && strcmp(st, ORCH_STATUS_CHANGED) == 0 && report_drift(r, h)) {
				fputs("<properties><property name=\"orch.status\" value=\"drift\"/></properties>"
				      "<system-out>drift: ", f);
				xml_escape(f, msg);
				fputs("</system-out>", f);
			} else {
				fprintf(f, "<system-out>%s: ", st ? st : "?");
				xml_escape(f, msg);
				fputs("</system-out>", f);
			}
			fputs("</testcase>\n", f);
		}
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
	int status = report_exit_status(r);

	if (r->opts->json && r->opts->command != CMD_FACTS) {
		json_t *doc = json_document(r, status);

		json_dumpf(doc, r->out, JSON_INDENT(2));
		fputc('\n', r->out);
		json_decref(doc);
	} else if (r->opts->command != CMD_FACTS) {
		recap(r);
		pending_note(r);
		drift_note(r);
	}
	fflush(r->out);
	if (r->opts->junit != NULL && write_junit(r, r->opts->junit) != 0)
		return EXIT_ERROR;
	return status;
}
