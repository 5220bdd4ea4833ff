/* The results of a run: per host its state, each step's typed outcome, the
 * agent's summary and how the connection went, recorded as the agent's
 * lines arrive (decoded once, by agent_output.c). The renderers (report.c,
 * facts.c) and the rolling reboot read them here; nothing else keeps a
 * host's outcome. Every function may be called from any thread. */
#ifndef ORCH_RESULTS_H
#define ORCH_RESULTS_H

#include <pthread.h>
#include <stddef.h>
#include <jansson.h>

#include "agent_output.h"
#include "protocol.h"

struct fleet;
struct host;

enum host_state {
	HOST_PENDING,
	HOST_DONE,
	HOST_FAILED,
	HOST_UNREACHABLE,
};

/* One step's outcome: the agent's result line, or one the controller made
 * for a step it ran itself (reboot, the verify of a fresh boot). What is
 * kept is the line's compact text: a fleet of a thousand nodes keeps a
 * thousand facts, and jansson's objects take about seven times the bytes of
 * their text. step_line() decodes it when a reader needs it and keeps that
 * until outcome_compact(). */
struct step_result {
	char *name;                /* owned */
	enum orch_status status;
	char *text;                /* the result object, compact JSON, owned */
	json_t *line;              /* decoded from text, or NULL: use step_line() */
};

/* A host's outcome. steps holds nsteps results in the order they came;
 * planned, the names of the steps the host was to run (a step with no
 * result is an error in JUnit). */
struct outcome {
	enum host_state state;
	char *msg;                 /* why the host failed outside a step, or is unreachable */
	json_t *planned;           /* array of step names, owned */
	struct step_result *steps;
	size_t nsteps, cap;
	char *summary;             /* the agent's summary line, compact JSON, or NULL */
	int summary_reboot_pending;  /* its reboot_pending */
	int count[ORCH_SKIPPED + 1];  /* results per status */
	int agent_sent;            /* the agent was uploaded in this run */
	int recorded_key;          /* --accept-new recorded the host's key */
	char fingerprint[128];
	double seconds;
};

/* Told of each change as it is recorded, under the store's lock: the live
 * text of report.c. Any member may be NULL. */
struct results_observer {
	void (*step)(void *ctx, const struct host *h, const struct step_result *s);
	void (*problem)(void *ctx, const struct host *h);
	void (*done)(void *ctx, const struct host *h);
	void *ctx;
};

struct results {
	pthread_mutex_t lock;
	struct fleet *fleet;
	int check;                 /* --check of an apply or a rollback: a change is drift */
	struct results_observer obs;
};

/* Sets up r over the outcomes of fleet's hosts (each host's planned steps
 * taken from its plan). Returns 0 or -1. */
int results_init(struct results *r, struct fleet *fleet, int check);

/* Frees what results_init and the records allocated; the fleet stays. */
void results_release(struct results *r);

/* Records a line of host i's agent: a result or the summary. */
void results_record(struct results *r, size_t i, const struct agent_message *m);

/* Records a result of a step that runs after the apply (reboot, verify):
 * adds the step to host i's planned steps, records it, and marks the host
 * failed when the step failed. */
void results_record_step(struct results *r, size_t i, const struct agent_message *m);

/* The same for a result the controller makes itself. */
void results_step_status(struct results *r, size_t i, const char *step, enum orch_status status,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Records that host i was unreachable, or failed outside a step, with msg. */
void results_unreachable(struct results *r, size_t i, const char *msg);
void results_failed(struct results *r, size_t i, const char *msg);

/* Records that host i is done: its time, whether the agent was sent to it,
 * the key fingerprint and whether --accept-new recorded it. */
void results_done(struct results *r, size_t i, double seconds, int agent_sent,
		  int recorded_key, const char *fingerprint);

/* Readers, for when no host is running any more (or under the lock). */

/* The result of step in o, or NULL. */
const struct step_result *outcome_find(const struct outcome *o, const char *step);

/* s's result object, decoded on the first call since the last
 * outcome_compact() of its outcome; borrowed until then. NULL only when
 * memory runs out. */
json_t *step_line(const struct step_result *s);

/* The facts of the facts step (borrowed as step_line's), or NULL. */
json_t *outcome_facts(const struct outcome *o);

/* Drops what step_line() decoded in o: a reader done with a host. */
void outcome_compact(const struct outcome *o);

/* Whether the node ended the run with its configured state other than the
 * live one: a good run whose summary says so, not settled by a reboot that
 * brought it back. The one place that decides a pending reboot. */
int outcome_reboot_pending(const struct outcome *o);

/* Whether the node would change (a step changed under --check). */
int results_drift(const struct results *r, const struct outcome *o);

/* The exit status the hosts' states give: the sum of the EXIT_* bits of
 * cli.h that apply. */
int results_exit_status(const struct results *r);

#endif
