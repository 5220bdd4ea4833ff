/* The engine: runs plans on nodes, every session driven from one thread
 * with libssh's nonblocking calls, at most --forks at once. A job is one
 * run of the agent on one host: connect, check the host key, log in, run
 * the agent with the plan (sending it first when the node lacks it),
 * collect its lines and stderr, within the deadlines of -T and
 * --run-timeout. Apply, facts, rollback and every step of the rolling
 * reboot are jobs; the reboot's waits are the engine's timers. */
#ifndef ORCH_ENGINE_H
#define ORCH_ENGINE_H

#include <stddef.h>

#include "agent_output.h"
#include "cli.h"
#include "fleet.h"
#include "push.h"
#include "ssh.h"

/* How a job ended. */
enum job_status {
	JOB_DONE,          /* the agent answered with a summary */
	JOB_UNREACHABLE,   /* no connection, host key or login */
	JOB_FAILED,        /* anything else: err says what */
};

struct job_end {
	enum job_status status;
	const char *err;         /* JOB_UNREACHABLE, JOB_FAILED */
	double seconds;          /* from the start of the connection */
	int agent_sent;          /* the agent was uploaded in this job */
	const struct ssh_notes *notes;
};

struct job {
	size_t host;             /* index in the fleet */
	const char *plan;        /* the plan's text; the caller's until on_end */
	run_line_fn on_line;     /* each line of the agent, decoded */
	void (*on_end)(void *ctx, const struct job_end *end);
	void *ctx;               /* for on_line and on_end */
};

struct engine;

/* A new engine for fleet's hosts, or NULL when out of memory. */
struct engine *engine_new(struct fleet *fleet, const struct options *opts, struct ssh_ctx *ssh,
			  const struct agent_blob *agent);

/* Queues job j (copied); it starts when one of the --forks slots is free.
 * May be called from on_line, on_end and timers. Returns 0 or -1. */
int engine_submit(struct engine *e, const struct job *j);

/* Calls fn(ctx) from the engine's thread once `when` (clock.h's now()) has
 * come. Returns 0 or -1. */
int engine_at(struct engine *e, double when, void (*fn)(void *ctx), void *ctx);

/* Drops the timers of ctx that have not come yet (a rollout that stops
 * waiting). */
void engine_cancel(struct engine *e, void *ctx);

/* Runs until no job is queued or running and no timer is left. */
void engine_run(struct engine *e);

/* The most sessions in flight and the most threads at once (for the
 * benchmarks): threads only look a name up or send the agent. */
void engine_peaks(const struct engine *e, size_t *sessions, size_t *threads);

void engine_free(struct engine *e);

#endif
