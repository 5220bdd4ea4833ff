#include "engine.h"
#include "clock.h"
#include "escape.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Why one thread: a warm node costs orch a login and one command, a few
 * milliseconds of CPU. With a thread per session, each new thread's own
 * state (malloc arena, OpenSSL's per-thread state, its stack's pages) and
 * 20 threads contending for the same locks cost as much again (a warm apply
 * of 20 nodes: 126 ms of CPU with 20 threads, 71 ms with one).
 *
 * Each job goes through the states below. The engine polls the sockets of
 * the jobs in flight and steps a job when its socket is ready or one of its
 * deadlines passes; every libssh call of a step answers at once (SSH_AGAIN:
 * wait for the socket). One slow path runs blocking code in a thread of
 * its own, which tells the engine through a pipe when it is done: the
 * name lookup of the first connect.
 *
 * Round trips: the plan is in the command (push.h, agent_run_command), not
 * on stdin, which an SSH server opens no window for until the command
 * runs. A node that does not have the agent answers 127 to the first run;
 * the second run installs it from its stdin and runs it (push.h,
 * agent_install_command): one more channel, the answer that opens the
 * window, and the bytes of the agent.
 */
enum state {
	ST_RESOLVE,   /* a thread looks the host's name up and starts the TCP connect */
	ST_CONNECT,   /* TCP, banner, key exchange */
	ST_AUTH,      /* host key checked; logging in */
	ST_OPEN,      /* opening the channel */
	ST_EXEC,      /* asking for the agent (or its install) */
	ST_WRITE,     /* sending the agent for its install; the EOF */
	ST_READ,      /* reading the agent's lines */
	ST_STATUS,    /* the agent's output ended; waiting for its exit status */
	ST_FREE,      /* the slot has no job */
};

struct conn {
	struct engine *e;
	size_t slot;          /* its index in the engine's slots */
	struct job job;
	enum state state;
	ssh_session s;
	ssh_channel ch;
	struct ssh_auth auth;
	struct ssh_notes notes;
	struct agent_output out;
	char where[384];
	char *cmd;            /* the remote command: the agent (or its install) with the plan */
	char errtext[512], write_err[512];
	size_t errused;
	/* What the run's stdin gets: nothing, or the agent for its install. */
	const char *seg[1];
	size_t seglen[1], nseg, written;
	double started, deadline, stderr_at;
	double exec_deadline; /* for the answer to the exec request */
	int exec_pending;     /* the exec request is sent, its answer not here yet */
	int status, sent;
	int installing;       /* this run installs the agent */
	int pushed;           /* the agent was sent: a missing agent is now an error */
	int more;             /* output is waiting in libssh's buffers */
	int first_rc;         /* ST_RESOLVE's ssh_connect() answer, for ST_CONNECT */
	int have_first_rc;
	pthread_t thread;
};

struct timer {
	double when;
	void (*fn)(void *ctx);
	void *ctx;
};

struct engine {
	struct fleet *fleet;
	const struct options *opts;
	struct ssh_ctx *ssh;
	const struct agent_blob *agent;
	struct conn *c;       /* the slots: up to --forks jobs in flight */
	size_t nslots, busy;
	struct job *queue;    /* jobs not started yet, from head */
	size_t head, nqueue, capqueue;
	struct timer *timers;
	size_t ntimers, captimers;
	size_t threads, peak_threads, peak_busy;
	int wake[2];          /* threads write their slot's index when done */
};

/* How much of one job's output a step takes before the others get their
 * turn: a node flooding orch is read no faster than the rest. */
#define STEP_READS 16

/* The most a step writes to one channel: what libssh copies (and encrypts)
 * ahead of the socket, per session. */
#define WRITE_PIECE (16 * 1024)

/* The remote shell's answer when it found no agent at the path: exit 127
 * ("command not found") without a byte on stdout. */
#define AGENT_ABSENT 1

static void
on_line(void *ctx, const struct agent_message *m)
{
	struct conn *c = ctx;

	c->job.on_line(c->job.ctx, m);
}

static const struct target *
target_of(const struct conn *c)
{
	return &c->e->fleet->hosts[c->job.host].plan.target;
}

static void
close_channel(struct conn *c)
{
	if (c->ch != NULL) {
		ssh_channel_close(c->ch);
		ssh_channel_free(c->ch);
		c->ch = NULL;
	}
}

/* Ends c's job with status and err, frees the slot and tells the caller. */
static void
finish(struct conn *c, enum job_status status, const char *err)
{
	struct job job = c->job;
	struct ssh_notes notes = c->notes;
	struct job_end end = {
		.status = status, .err = err, .seconds = now() - c->started, .agent_sent = c->sent,
		.notes = &notes,
	};

	agent_output_release(&c->out);
	orch_ssh_auth_release(&c->auth);
	free(c->cmd);
	c->cmd = NULL;
	close_channel(c);
	orch_ssh_close(c->s);
	c->s = NULL;
	c->state = ST_FREE;
	c->e->busy--;
	/* last: on_end may queue the next job of this host */
	job.on_end(job.ctx, &end);
}

/* What a finished run of the agent amounts to: AGENT_ABSENT, 0 when the
 * agent answered with a summary, or -1 with err (a failed write of the
 * plan, a refused plan, garbage, no summary: with the start of stderr). */
static int
conclude(struct conn *c, char *err, size_t errlen)
{
	struct agent_output *r = &c->out;

	if (c->status == 127 && r->total == 0)
		return AGENT_ABSENT;
	/* The shell's own words say why: a directory in the way, no space. */
	if (r->total == 0 && (c->status == 126 || (c->installing && c->status == AGENT_INSTALL_FAILED))) {
		char ex[400], path[1280];

		agent_remote_path(c->e->agent, target_of(c), path, sizeof(path));
		orch_escape(ex, sizeof(ex), c->errtext, strcspn(c->errtext, "\n"), 300);
		snprintf(err, errlen, "cannot %s the agent at '%s'%s%s%s", c->status == 126 ? "run" : "install", path,
			 ex[0] ? ": '" : "", ex, ex[0] ? "'" : "");
		return -1;
	}
	if (c->write_err[0] != '\0') {
		snprintf(err, errlen, "%s", c->write_err);
		return -1;
	}
	if (agent_output_finish(r, err, errlen) != 0)
		return -1;
	if (r->refused[0] != '\0') {
		snprintf(err, errlen, "the agent refused the plan: %s", r->refused);
		return -1;
	}
	if (!r->summary) {
		char ex[128];

		agent_output_excerpt(ex, sizeof(ex), c->errtext, strcspn(c->errtext, "\n"));
		snprintf(err, errlen, "the agent ended without a summary (exit status %d)%s%s%s", c->status,
			 ex[0] ? ": '" : "", ex, ex[0] ? "'" : "");
		return -1;
	}
	return 0;
}

static int
start_thread(struct conn *c, void *(*fn)(void *))
{
	struct engine *e = c->e;
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	/* libssh and jansson need little stack; 8 MiB each is address space
	 * for nothing. */
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	rc = pthread_create(&c->thread, &attr, fn, c);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return rc;
	if (++e->threads > e->peak_threads)
		e->peak_threads = e->threads;
	return 0;
}

static void
wake_engine(struct conn *c)
{
	/* The pipe holds far more than --forks indexes: this never blocks. */
	if (write(c->e->wake[1], &c->slot, sizeof(c->slot)) != (ssize_t)sizeof(c->slot))
		abort();
}

/* libssh looks the host's name up inside the first ssh_connect() call, with
 * getaddrinfo(3), which blocks: a name whose lookup is slow would hold up
 * every host. Names go through a thread; addresses are connected at once. */
static void *
resolve_main(void *arg)
{
	struct conn *c = arg;

	c->first_rc = ssh_connect(c->s);
	wake_engine(c);
	return NULL;
}

static int
is_address(ssh_session s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char *host = NULL;
	int yes;

	if (ssh_options_get(s, SSH_OPTIONS_HOST, &host) != SSH_OK)
		return 0;
	yes = inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
	ssh_string_free_char(host);
	return yes;
}

static void step(struct conn *c);

/* Starts a run of the agent (or of its install, c->installing) on c's
 * logged-in session. */
static void
start_run(struct conn *c, double t_now)
{
	c->state = ST_OPEN;
	c->deadline = t_now + c->e->opts->timeout;
	c->out = (struct agent_output){.fn = on_line, .ctx = c};
	c->status = -1;
	c->exec_pending = 0;
	c->nseg = c->written = c->errused = 0;
	if (c->installing) {
		c->seg[c->nseg] = (const char *)c->e->agent->data;
		c->seglen[c->nseg++] = c->e->agent->len;
	}
	c->errtext[0] = c->write_err[0] = '\0';
}

/* The node has no agent of this build: run its install, which runs it. */
static void
start_install(struct conn *c)
{
	close_channel(c);
	agent_output_release(&c->out);
	free(c->cmd);
	if ((c->cmd = agent_install_command(c->e->agent, target_of(c), c->job.plan)) == NULL) {
		finish(c, JOB_FAILED, "cannot send the agent: out of memory or random bytes");
		return;
	}
	c->installing = c->pushed = 1;
	start_run(c, now());
	step(c);
}

/* Takes the answer to the exec request when it has come. Returns 0 (it
 * came and the command runs, or it is still to come), or -1 when the job
 * ended (refused, or no answer within -T). */
static int
exec_answered(struct conn *c, double t_now)
{
	char err[1024];
	int rc;

	if (!c->exec_pending)
		return 0;
	rc = ssh_channel_request_exec(c->ch, c->cmd);
	if (rc == SSH_OK) {
		c->exec_pending = 0;
		return 0;
	}
	if (rc == SSH_AGAIN && t_now < c->exec_deadline)
		return 0;
	snprintf(err, sizeof(err), "cannot run the agent: %s",
		 rc == SSH_AGAIN ? "no answer within the timeout" : ssh_get_error(c->s));
	finish(c, JOB_FAILED, err);
	return -1;
}

static void
start(struct conn *c)
{
	struct engine *e = c->e;
	const struct target *t = target_of(c);
	char err[1024];

	c->started = now();
	c->state = ST_CONNECT;
	c->deadline = c->started + e->opts->timeout;
	c->out = (struct agent_output){.fn = on_line, .ctx = c};
	/* A fixed string: the agent's path is a checked root and hex, the
	 * plan base64. */
	if ((c->cmd = agent_run_command(e->agent, t, c->job.plan)) == NULL) {
		snprintf(err, sizeof(err), "the plan is %zu bytes: more than the %d orch puts on a command line",
			 strlen(c->job.plan), PLAN_ARG_MAX);
		finish(c, JOB_FAILED, err);
		return;
	}
	if (orch_ssh_new(&c->s, e->ssh, t, c->where, sizeof(c->where), err, sizeof(err)) != 0) {
		finish(c, JOB_UNREACHABLE, err);
		return;
	}
	ssh_set_blocking(c->s, 0);
	if (!is_address(c->s)) {
		c->state = ST_RESOLVE;
		if (start_thread(c, resolve_main) != 0)
			c->state = ST_CONNECT;   /* look it up here, then */
	}
}

static void
drain_stderr(struct conn *c)
{
	char buf[4096];
	int e;

	while ((e = ssh_channel_read_nonblocking(c->ch, buf, sizeof(buf), 1)) > 0) {
		for (int i = 0; i < e && c->errused + 1 < sizeof(c->errtext); i++)
			c->errtext[c->errused++] = buf[i];
		c->errtext[c->errused] = '\0';
	}
}

/* What take_output found. */
enum output_state { OUT_NONE, OUT_MORE, OUT_END, OUT_FAILED };

/* Takes what the node has sent: up to STEP_READS pieces of its output, and
 * its stderr about once a second, so that a node flooding it is slowed by the
 * window. OUT_MORE: more may be waiting; OUT_END: the output has ended;
 * OUT_FAILED: the job is finished. */
static enum output_state
take_output(struct conn *c, double t_now)
{
	char buf[65536], err[2048];
	int n = 0;

	for (int i = 0; i < STEP_READS; i++) {
		n = ssh_channel_read_nonblocking(c->ch, buf, sizeof(buf), 0);
		if (n == SSH_ERROR) {
			snprintf(err, sizeof(err), "lost the connection while the agent ran: %s", ssh_get_error(c->s));
			finish(c, JOB_FAILED, err);
			return OUT_FAILED;
		}
		if (n <= 0)
			break;
		if (agent_output_feed(&c->out, buf, (size_t)n, err, sizeof(err)) != 0) {
			finish(c, JOB_FAILED, err);
			return OUT_FAILED;
		}
	}
	if (t_now >= c->stderr_at) {
		drain_stderr(c);
		c->stderr_at = t_now + 1;
	}
	if (n == SSH_EOF || (n == 0 && ssh_channel_is_eof(c->ch)))
		return OUT_END;
	return n > 0 ? OUT_MORE : OUT_NONE;
}

/* Whether the poll must wake job c at its stderr tick. */
static int
takes_output(const struct conn *c)
{
	return c->state == ST_WRITE || c->state == ST_READ;
}

/* Takes job c as far as it goes without waiting. */
static void
step(struct conn *c)
{
	struct engine *e = c->e;
	const struct target *t = target_of(c);
	int timeout = e->opts->timeout, run_timeout = e->opts->run_timeout;
	char err[2048];
	double t_now;
	int rc, n;
	enum output_state out;

	for (;;) {
		t_now = now();
		switch (c->state) {
		case ST_CONNECT:
			if (c->have_first_rc) {
				rc = c->first_rc;
				c->have_first_rc = 0;
			} else
				rc = ssh_connect(c->s);
			if (rc == SSH_AGAIN) {
				if (t_now < c->deadline)
					return;
				orch_ssh_connect_failure(c->s, c->where, timeout, 1, err, sizeof(err));
				finish(c, JOB_UNREACHABLE, err);
				return;
			}
			if (rc != SSH_OK) {
				orch_ssh_connect_failure(c->s, c->where, timeout, 0, err, sizeof(err));
				finish(c, JOB_UNREACHABLE, err);
				return;
			}
			if (orch_ssh_check_host_key(c->s, e->ssh, c->where, &c->notes, err, sizeof(err)) != 0) {
				finish(c, JOB_UNREACHABLE, err);
				return;
			}
			c->state = ST_AUTH;
			c->deadline = t_now + timeout;
			continue;
		case ST_AUTH:
			rc = orch_ssh_auth_step(c->s, e->ssh, t, c->where, &c->auth, err, sizeof(err));
			if (rc == 1) {
				if (t_now < c->deadline)
					return;
				snprintf(err, sizeof(err), "authentication of '%s' failed: no answer within %d s",
					 c->where, timeout);
				finish(c, JOB_UNREACHABLE, err);
				return;
			}
			if (rc != 0) {
				finish(c, JOB_UNREACHABLE, err);
				return;
			}
			start_run(c, t_now);
			continue;
		case ST_OPEN:
			if (c->ch == NULL && (c->ch = ssh_channel_new(c->s)) == NULL) {
				finish(c, JOB_FAILED, "cannot run the agent: out of memory");
				return;
			}
			rc = ssh_channel_open_session(c->ch);
			if (rc == SSH_AGAIN && t_now < c->deadline)
				return;
			if (rc != SSH_OK) {
				snprintf(err, sizeof(err), "cannot run the agent: %s",
					 rc == SSH_AGAIN ? "no channel within the timeout" : ssh_get_error(c->s));
				finish(c, JOB_FAILED, err);
				return;
			}
			c->state = ST_EXEC;
			continue;
		case ST_EXEC:
			/* Sent: SSH_AGAIN until the answer comes, which the
			 * plan does not wait for (exec_answered). */
			rc = ssh_channel_request_exec(c->ch, c->cmd);
			if (rc != SSH_OK && rc != SSH_AGAIN) {
				snprintf(err, sizeof(err), "cannot run the agent: %s", ssh_get_error(c->s));
				finish(c, JOB_FAILED, err);
				return;
			}
			c->exec_pending = rc == SSH_AGAIN;
			c->exec_deadline = t_now + timeout;
			c->state = ST_WRITE;
			c->deadline = t_now + run_timeout;
			c->stderr_at = t_now + 1;
			continue;
		case ST_WRITE:
			/* The server gives stdin its window when the command
			 * runs: the agent's bytes wait for the answer. A run
			 * without input sends its EOF at once, as `ssh -n` does. */
			if (exec_answered(c, t_now) != 0)
				return;
			if (c->exec_pending && c->nseg > 0)
				return;
			/* The agent for its install: a piece at a time, and only
			 * when libssh has sent the last, so that its megabyte is
			 * not copied into every session's buffers at once. */
			if (c->nseg > 0 && c->written < c->seglen[0]) {
				size_t left = c->seglen[0] - c->written;

				if ((ssh_get_poll_flags(c->s) & SSH_WRITE_PENDING) &&
				    ssh_blocking_flush(c->s, 0) == SSH_AGAIN)
					n = 0;
				else if ((n = ssh_channel_write(c->ch, c->seg[0] + c->written,
								(uint32_t)(left < WRITE_PIECE ? left : WRITE_PIECE))) ==
					 SSH_ERROR) {
					snprintf(c->write_err, sizeof(c->write_err), "cannot send the agent: %s",
						 ssh_get_error(c->s));
					c->state = ST_READ;
					continue;
				}
				c->written += (size_t)n;
				if (n > 0)
					continue;
				/* No window, or the socket is full. The node may have
				 * ended meanwhile: libssh takes its exit and its close
				 * from the socket inside the write, and no later byte
				 * wakes the poll for them. Its output is taken as it
				 * comes, as when reading; a close with output unread is
				 * no end in libssh until that output is read. */
				out = take_output(c, t_now);
				if (out == OUT_FAILED)
					return;
				if (out == OUT_END || !ssh_channel_is_open(c->ch)) {
					snprintf(c->write_err, sizeof(c->write_err),
						 "the node stopped taking the agent after %zu of %zu bytes", c->written,
						 c->seglen[0]);
					c->state = ST_READ;
					continue;
				}
				c->more = out == OUT_MORE;
				if (t_now < c->deadline)
					return;
				snprintf(c->write_err, sizeof(c->write_err), "cannot send the agent within %d s",
					 run_timeout);
				c->state = ST_READ;
				continue;
			}
			if (ssh_channel_send_eof(c->ch) != SSH_OK)
				snprintf(c->write_err, sizeof(c->write_err), "cannot close the agent's input: %s",
					 ssh_get_error(c->s));
			c->state = ST_READ;
			continue;
		case ST_READ:
			if (exec_answered(c, t_now) != 0)
				return;
			out = take_output(c, t_now);
			if (out == OUT_FAILED)
				return;
			if (out == OUT_END) {
				drain_stderr(c);
				c->state = ST_STATUS;
				continue;
			}
			if (t_now >= c->deadline) {
				snprintf(err, sizeof(err), "the agent did not finish within %d s%s", run_timeout,
					 c->out.total == 0 ? " and sent nothing" : "");
				finish(c, JOB_FAILED, err);
				return;
			}
			/* More may be waiting: after the others' turn. */
			c->more = out == OUT_MORE;
			return;
		case ST_STATUS:
			/* The exit status may come after the end of the output. */
			c->status = ssh_channel_get_exit_status(c->ch);
			if (c->status == -1 && ssh_channel_is_open(c->ch) && t_now < c->deadline &&
			    ssh_is_connected(c->s))
				return;
			rc = conclude(c, err, sizeof(err));
			if (rc == AGENT_ABSENT && !c->pushed) {
				/* The node has no agent of this build: send it with the plan. */
				start_install(c);
				return;
			}
			c->sent = c->installing && rc != AGENT_ABSENT && c->status != AGENT_INSTALL_FAILED;
			if (rc == AGENT_ABSENT) {
				char path[1280];

				agent_remote_path(e->agent, t, path, sizeof(path));
				snprintf(err, sizeof(err),
					 "the node's shell does not find the agent at '%s' (exit status 127) though it was just "
					 "installed", path);
			}
			finish(c, rc == 0 ? JOB_DONE : JOB_FAILED, rc == 0 ? NULL : err);
			return;
		case ST_RESOLVE:
		case ST_FREE:
			return;
		}
	}
}

static int
waiting(const struct conn *c)
{
	return c->state != ST_RESOLVE && c->state != ST_FREE;
}

struct engine *
engine_new(struct fleet *fleet, const struct options *opts, struct ssh_ctx *ssh, const struct agent_blob *agent)
{
	struct engine *e = calloc(1, sizeof(*e));
	size_t forks = opts->forks > 0 ? (size_t)opts->forks : 1;

	if (e == NULL)
		return NULL;
	*e = (struct engine){.fleet = fleet, .opts = opts, .ssh = ssh, .agent = agent, .wake = {-1, -1}};
	/* A slot per job in flight, not per host: an inventory of thousands
	 * costs no more than --forks of them. */
	e->nslots = forks < fleet->n ? forks : fleet->n;
	if (e->nslots == 0)
		e->nslots = 1;
	if ((e->c = calloc(e->nslots, sizeof(*e->c))) == NULL || pipe2(e->wake, O_CLOEXEC) != 0 ||
	    fcntl(e->wake[0], F_SETFL, O_NONBLOCK) != 0) {
		engine_free(e);
		return NULL;
	}
	for (size_t k = 0; k < e->nslots; k++)
		e->c[k].state = ST_FREE;
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->wake[0] >= 0) {
		close(e->wake[0]);
		close(e->wake[1]);
	}
	free(e->c);
	free(e->queue);
	free(e->timers);
	free(e);
}

int
engine_submit(struct engine *e, const struct job *j)
{
	if (e->head > 0 && e->head == e->nqueue) {
		e->head = e->nqueue = 0;
	}
	if (e->nqueue == e->capqueue) {
		size_t cap = e->capqueue ? e->capqueue * 2 : 64;
		struct job *q = realloc(e->queue, cap * sizeof(*q));

		if (q == NULL)
			return -1;
		e->queue = q;
		e->capqueue = cap;
	}
	e->queue[e->nqueue++] = *j;
	return 0;
}

int
engine_at(struct engine *e, double when, void (*fn)(void *ctx), void *ctx)
{
	if (e->ntimers == e->captimers) {
		size_t cap = e->captimers ? e->captimers * 2 : 16;
		struct timer *t = realloc(e->timers, cap * sizeof(*t));

		if (t == NULL)
			return -1;
		e->timers = t;
		e->captimers = cap;
	}
	e->timers[e->ntimers++] = (struct timer){when, fn, ctx};
	return 0;
}

void
engine_cancel(struct engine *e, void *ctx)
{
	for (size_t k = 0; k < e->ntimers;) {
		if (e->timers[k].ctx == ctx)
			e->timers[k] = e->timers[--e->ntimers];
		else
			k++;
	}
}

void
engine_peaks(const struct engine *e, size_t *sessions, size_t *threads)
{
	*sessions = e->peak_busy;
	*threads = e->peak_threads;
}

/* Starts queued jobs in the free slots. */
static void
fill_slots(struct engine *e)
{
	for (size_t k = 0; k < e->nslots && e->head < e->nqueue; k++) {
		struct conn *c = &e->c[k];

		if (c->state != ST_FREE)
			continue;
		*c = (struct conn){.e = e, .slot = k, .job = e->queue[e->head++], .status = -1};
		if (++e->busy > e->peak_busy)
			e->peak_busy = e->busy;
		start(c);
		step(c);
	}
}

/* Calls the timers whose time has come; returns the earliest left, or
 * `later` when none is sooner. */
static double
run_timers(struct engine *e, double t_now, double later)
{
	double next = later;

	for (size_t k = 0; k < e->ntimers;) {
		struct timer t = e->timers[k];

		if (t.when > t_now) {
			if (t.when < next)
				next = t.when;
			k++;
			continue;
		}
		/* removed first: fn may add timers */
		e->timers[k] = e->timers[--e->ntimers];
		t.fn(t.ctx);
	}
	return next;
}

/* A thread of slot k is done: join it and go on with its job. */
static void
thread_done(struct engine *e, struct conn *c)
{
	pthread_join(c->thread, NULL);
	e->threads--;
	/* -T counts from the connect, as in libssh's own. */
	c->state = ST_CONNECT;
	c->deadline = now() + e->opts->timeout;
	c->have_first_rc = 1;
	step(c);
}

void
engine_run(struct engine *e)
{
	struct pollfd *pfd = calloc(e->nslots + 1, sizeof(*pfd));
	size_t *who = calloc(e->nslots + 1, sizeof(*who));

	if (pfd == NULL || who == NULL) {
		/* every queued job fails; no slot is in use yet */
		while (e->head < e->nqueue) {
			struct job j = e->queue[e->head++];
			struct ssh_notes notes = {0};
			struct job_end end = {.status = JOB_FAILED, .err = "out of memory", .notes = &notes};

			j.on_end(j.ctx, &end);
		}
		goto out;
	}
	for (;;) {
		double t_now, wake_at;
		size_t np = 0;
		int ms;

		fill_slots(e);
		t_now = now();
		wake_at = run_timers(e, t_now, t_now + 1);
		/* a timer or a job that ended at once may have queued more */
		if (e->head < e->nqueue && e->busy < e->nslots)
			continue;
		if (e->busy == 0 && e->head == e->nqueue && e->ntimers == 0)
			break;
		pfd[np] = (struct pollfd){.fd = e->wake[0], .events = POLLIN};
		who[np++] = e->nslots;
		for (size_t k = 0; k < e->nslots; k++) {
			struct conn *c = &e->c[k];
			socket_t fd;

			if (!waiting(c))
				continue;
			if (c->more)
				wake_at = t_now;
			if (c->deadline < wake_at)
				wake_at = c->deadline;
			if (takes_output(c) && c->stderr_at < wake_at)
				wake_at = c->stderr_at;
			if (c->exec_pending && c->exec_deadline < wake_at)
				wake_at = c->exec_deadline;
			if ((fd = ssh_get_fd(c->s)) == SSH_INVALID_SOCKET)
				continue;
			pfd[np] = (struct pollfd){.fd = fd, .events = POLLIN};
			if (ssh_get_poll_flags(c->s) & SSH_WRITE_PENDING)
				pfd[np].events |= POLLOUT;
			who[np++] = k;
		}
		ms = wake_at > t_now ? (int)((wake_at - t_now) * 1000) + 1 : 0;
		/* Only EINTR and ENOMEM are possible here: either way the jobs
		 * are stepped again, by their deadlines if need be. */
		if (poll(pfd, np, ms) < 0) {
			for (size_t k = 0; k < np; k++)
				pfd[k].revents = 0;
		}
		t_now = now();
		if (pfd[0].revents & POLLIN) {
			size_t k;

			while (read(e->wake[0], &k, sizeof(k)) == (ssize_t)sizeof(k))
				thread_done(e, &e->c[k]);
		}
		for (size_t j = 1; j < np; j++) {
			struct conn *c = &e->c[who[j]];

			/* stepped already (a thread's job), or a new job in the slot */
			if (!waiting(c) || c->s == NULL || ssh_get_fd(c->s) != pfd[j].fd)
				continue;
			if (pfd[j].revents == 0 && !c->more && t_now < c->deadline &&
			    !(takes_output(c) && t_now >= c->stderr_at) && !(c->exec_pending && t_now >= c->exec_deadline))
				continue;
			c->more = 0;
			step(c);
		}
		/* Sessions that have no socket yet only have deadlines. */
		for (size_t k = 0; k < e->nslots; k++) {
			struct conn *c = &e->c[k];

			if (waiting(c) && c->s != NULL && ssh_get_fd(c->s) == SSH_INVALID_SOCKET)
				step(c);
		}
	}
out:
	free(pfd);
	free(who);
}
