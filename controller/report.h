/* Reporting: a line per host and step as results arrive (ansible-playbook's
 * look), PLAY RECAP, one JSON document (--json) and a JUnit file (--junit).
 * Every function may be called from any worker thread. */
#ifndef ORCH_REPORT_H
#define ORCH_REPORT_H

#include <pthread.h>
#include <stdio.h>
#include <jansson.h>

#include "cli.h"

enum host_state {
	HOST_PENDING,
	HOST_DONE,
	HOST_FAILED,
	HOST_UNREACHABLE,
};

struct host_report {
	const char *name;
	json_t *steps;        /* the planned step names (array of strings), owned */
	enum host_state state;
	char *msg;            /* why the host failed outside a step, or is unreachable */
	json_t *results;      /* the agent's result lines, owned */
	json_t *summary;      /* the agent's summary line, or NULL */
	int ok, changed, failed, skipped;
	int agent_sent;
	int recorded_key;
	char fingerprint[128];
	double seconds;
};

struct report {
	pthread_mutex_t lock;
	const struct options *opts;
	FILE *out;            /* text output (stdout) */
	int color;
	int stream;           /* print step lines as they arrive */
	size_t n;
	struct host_report *hosts;   /* n of them, owned */
	double started;
};

/* Sets up r for n hosts; names and plans (json plans, for their step
 * names) are indexed like the hosts. Returns 0 or -1. */
int report_init(struct report *r, const struct options *opts, size_t n,
		const char *const *names, json_t *const *plans);

/* Frees what report_init and the calls after it allocated. */
void report_release(struct report *r);

/* Prints the header of the run. */
void report_begin(struct report *r);

/* Records and prints one agent line of host i (result, summary or error). */
void report_line(struct report *r, size_t i, json_t *line);

/* Records that host i was unreachable, or failed outside a step, with msg. */
void report_unreachable(struct report *r, size_t i, const char *msg);
void report_failed(struct report *r, size_t i, const char *msg);

/* Records that host i is done: its time, whether the agent was sent to it,
 * the key fingerprint and whether --accept-new recorded it. */
void report_done(struct report *r, size_t i, double seconds, int agent_sent,
		 int recorded_key, const char *fingerprint);

/* Prints PLAY RECAP (text), or the JSON document; writes the JUnit file.
 * Returns the exit status of orch(1) (a sum of the EXIT_* bits of cli.h), or
 * EXIT_ERROR when the JUnit file cannot be written. */
int report_finish(struct report *r);

/* Records a result of a step that runs after the apply (reboot, verify):
 * adds the step to host i's planned steps, records and prints the line,
 * and marks the host failed when the step failed. */
void report_step(struct report *r, size_t i, json_t *line);
/* The same for a result the controller makes itself. */
void report_step_status(struct report *r, size_t i, const char *step, const char *status,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The facts of host i from its facts step, or NULL. */
json_t *report_facts(const struct report *r, size_t i);

/* The exit status the hosts' states give: the sum of the EXIT_* bits of
 * cli.h that apply. */
int report_exit_status(const struct report *r);

#endif
