#include "loop.h"
#include "clock.h"
#include "run.h"

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
 * Each host goes through the states below. The loop polls the sockets of
 * the hosts in flight and steps a host when its socket is ready or one of
 * its deadlines passes; every libssh call of a step answers at once
 * (SSH_AGAIN: wait for the socket). The rare slow paths, sending the agent
 * over SFTP and logins through sudo, run the blocking code of push.c in a
 * thread of their own, which tells the loop through a pipe when it is done.
 */
enum state {
	ST_RESOLVE,   /* a thread looks the host's name up and starts the TCP connect */
	ST_CONNECT,   /* TCP, banner, key exchange */
	ST_AUTH,      /* host key checked; logging in */
	ST_OPEN,      /* opening the channel */
	ST_EXEC,      /* asking for the agent */
	ST_WRITE,     /* sending the plan */
	ST_READ,      /* reading the agent's lines */
	ST_STATUS,    /* the agent's output ended; waiting for its exit status */
	ST_THREAD,    /* handed to a thread */
	ST_DONE,
};

struct loop;

struct conn {
	struct loop *f;
	size_t slot;          /* its index in the fleet's slots (c) */
	size_t host;
	enum state state;
	ssh_session s;
	ssh_channel ch;
	struct ssh_auth auth;
	struct ssh_notes notes;
	struct agent_output out;
	char where[384];
	char cmd[1400];
	char errtext[512], write_err[512];
	size_t errused, written, planlen;
	double started, deadline, stderr_at;
	int status, sent, become_first;
	int more;             /* output is waiting in libssh's buffers */
	int first_rc;         /* ST_RESOLVE's ssh_connect() answer, for ST_CONNECT */
	int have_first_rc;
	pthread_t thread;
};

struct loop {
	struct fleet *fleet;
	const struct options *opts;
	struct ssh_ctx *ssh;
	const struct agent_blob *agent;
	struct results *res;
	struct conn *c;       /* the slots: up to --forks hosts in flight */
	int wake[2];          /* threads write their slot's index when done */
};

/* How much of one host's output a step takes before the others get their
 * turn: a node flooding orch is read no faster than the rest. */
#define STEP_READS 16

static void
on_line(void *ctx, const struct agent_message *m)
{
	struct conn *c = ctx;

	results_record(c->f->res, c->host, m);
}

static void
finish(struct conn *c)
{
	results_done(c->f->res, c->host, now() - c->started, c->sent, c->notes.recorded_key,
		    c->notes.fingerprint);
	agent_output_release(&c->out);
	orch_ssh_auth_release(&c->auth);
	if (c->ch != NULL) {
		ssh_channel_close(c->ch);
		ssh_channel_free(c->ch);
		c->ch = NULL;
	}
	orch_ssh_close(c->s);
	c->s = NULL;
	/* A thread's host is marked done by the loop, once it has joined it. */
	if (c->state != ST_THREAD)
		c->state = ST_DONE;
}

static void
unreachable(struct conn *c, const char *err)
{
	results_unreachable(c->f->res, c->host, err);
	finish(c);
}

static void
failed(struct conn *c, const char *err)
{
	results_failed(c->f->res, c->host, err);
	finish(c);
}

/* The slow paths, on the blocking code every other caller uses. */
static void *
thread_main(void *arg)
{
	struct conn *c = arg;
	struct loop *f = c->f;
	const struct target *t = &f->fleet->hosts[c->host].plan.target;
	struct agent_run_opts run = {
		.plan = f->fleet->hosts[c->host].plan_text, .timeout = f->opts->timeout,
		.run_timeout = f->opts->run_timeout, .fn = on_line, .ctx = c,
		.status = &c->status, .sent = &c->sent,
	};
	char err[1024];
	int rc;

	ssh_set_blocking(c->s, 1);
	if (c->become_first)
		rc = agent_run(c->s, f->agent, t, &run, err, sizeof(err));
	else
		rc = agent_send_and_run(c->s, f->agent, t, &run, err, sizeof(err));
	if (rc != 0)
		results_failed(f->res, c->host, err);
	finish(c);
	/* The pipe holds far more than --forks indexes: this never blocks. */
	if (write(f->wake[1], &c->slot, sizeof(c->slot)) != (ssize_t)sizeof(c->slot))
		abort();
	return NULL;
}

static void
hand_off(struct conn *c, int become_first)
{
	char err[256];

	c->become_first = become_first;
	c->state = ST_THREAD;
	if (c->ch != NULL) {
		ssh_channel_close(c->ch);
		ssh_channel_free(c->ch);
		c->ch = NULL;
	}
	agent_output_release(&c->out);
	if ((errno = pthread_create(&c->thread, NULL, thread_main, c)) != 0) {
		snprintf(err, sizeof(err), "cannot start a thread for the node: %s", strerror(errno));
		c->state = ST_OPEN;   /* not a thread's: finish() marks it done */
		failed(c, err);
	}
}

/* libssh looks the host's name up inside the first ssh_connect() call, with
 * getaddrinfo(3), which blocks: a name whose lookup is slow would hold up
 * every host. Names go through a thread; addresses are connected at once. */
static void *
resolve_main(void *arg)
{
	struct conn *c = arg;

	c->first_rc = ssh_connect(c->s);
	if (write(c->f->wake[1], &c->slot, sizeof(c->slot)) != (ssize_t)sizeof(c->slot))
		abort();
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

static void
start(struct conn *c)
{
	struct loop *f = c->f;
	const struct target *t = &f->fleet->hosts[c->host].plan.target;
	char err[1024];

	c->started = now();
	c->state = ST_CONNECT;
	c->deadline = c->started + f->opts->timeout;
	c->out = (struct agent_output){.fn = on_line, .ctx = c};
	c->planlen = strlen(f->fleet->hosts[c->host].plan_text);
	agent_remote_path(f->agent, t, c->cmd, sizeof(c->cmd));
	if (orch_ssh_new(&c->s, f->ssh, t, c->where, sizeof(c->where), err, sizeof(err)) != 0) {
		unreachable(c, err);
		return;
	}
	ssh_set_blocking(c->s, 0);
	if (!is_address(c->s)) {
		c->state = ST_RESOLVE;
		if (pthread_create(&c->thread, NULL, resolve_main, c) != 0)
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

/* Takes host c as far as it goes without waiting. */
static void
step(struct conn *c)
{
	struct loop *f = c->f;
	const struct target *t = &f->fleet->hosts[c->host].plan.target;
	int timeout = f->opts->timeout, run_timeout = f->opts->run_timeout;
	char err[1024], buf[65536];
	double t_now;
	int rc, n;

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
				unreachable(c, err);
				return;
			}
			if (rc != SSH_OK) {
				orch_ssh_connect_failure(c->s, c->where, timeout, 0, err, sizeof(err));
				unreachable(c, err);
				return;
			}
			if (orch_ssh_check_host_key(c->s, f->ssh, c->where, &c->notes, err, sizeof(err)) != 0) {
				unreachable(c, err);
				return;
			}
			c->state = ST_AUTH;
			c->deadline = t_now + timeout;
			continue;
		case ST_AUTH:
			rc = orch_ssh_auth_step(c->s, f->ssh, t, c->where, &c->auth, err, sizeof(err));
			if (rc == 1) {
				if (t_now < c->deadline)
					return;
				snprintf(err, sizeof(err), "authentication of '%s' failed: no answer within %d s",
					 c->where, timeout);
				unreachable(c, err);
				return;
			}
			if (rc != 0) {
				unreachable(c, err);
				return;
			}
			if (t->become) {
				hand_off(c, 1);
				return;
			}
			c->state = ST_OPEN;
			c->deadline = t_now + timeout;
			continue;
		case ST_OPEN:
			if (c->ch == NULL && (c->ch = ssh_channel_new(c->s)) == NULL) {
				failed(c, "cannot run the agent: out of memory");
				return;
			}
			rc = ssh_channel_open_session(c->ch);
			if (rc == SSH_AGAIN && t_now < c->deadline)
				return;
			if (rc != SSH_OK) {
				snprintf(err, sizeof(err), "cannot run the agent: %s",
					 rc == SSH_AGAIN ? "no channel within the timeout" : ssh_get_error(c->s));
				failed(c, err);
				return;
			}
			c->state = ST_EXEC;
			continue;
		case ST_EXEC:
			rc = ssh_channel_request_exec(c->ch, c->cmd);
			if (rc == SSH_AGAIN && t_now < c->deadline)
				return;
			if (rc != SSH_OK) {
				snprintf(err, sizeof(err), "cannot run the agent: %s",
					 rc == SSH_AGAIN ? "no answer within the timeout" : ssh_get_error(c->s));
				failed(c, err);
				return;
			}
			c->state = ST_WRITE;
			c->deadline = t_now + run_timeout;
			c->stderr_at = t_now + 1;
			continue;
		case ST_WRITE:
			/* A shell that found no agent may have closed the channel
			 * already: what it answered decides whether this matters. */
			n = ssh_channel_write(c->ch, f->fleet->hosts[c->host].plan_text + c->written,
					      (uint32_t)(c->planlen - c->written));
			if (n == SSH_ERROR) {
				snprintf(c->write_err, sizeof(c->write_err), "cannot send the plan to the agent: %s",
					 ssh_get_error(c->s));
				c->state = ST_READ;
				continue;
			}
			c->written += (size_t)n;
			if (c->written < c->planlen) {
				if (t_now < c->deadline)
					return;
				snprintf(c->write_err, sizeof(c->write_err), "cannot send the plan to the agent within %d s",
					 run_timeout);
				c->state = ST_READ;
				continue;
			}
			if (ssh_channel_send_eof(c->ch) != SSH_OK)
				snprintf(c->write_err, sizeof(c->write_err), "cannot send the plan to the agent: %s",
					 ssh_get_error(c->s));
			c->state = ST_READ;
			continue;
		case ST_READ:
			for (int i = 0; i < STEP_READS; i++) {
				n = ssh_channel_read_nonblocking(c->ch, buf, sizeof(buf), 0);
				if (n == SSH_ERROR) {
					snprintf(err, sizeof(err), "lost the connection while the agent ran: %s",
						 ssh_get_error(c->s));
					failed(c, err);
					return;
				}
				if (n <= 0)
					break;
				if (agent_output_feed(&c->out, buf, (size_t)n, err, sizeof(err)) != 0) {
					failed(c, err);
					return;
				}
			}
			/* Like the blocking reader: stderr is taken about once a
			 * second, so a node flooding it is slowed by the window. */
			if (t_now >= c->stderr_at) {
				drain_stderr(c);
				c->stderr_at = t_now + 1;
			}
			if (n == SSH_EOF || (n == 0 && ssh_channel_is_eof(c->ch))) {
				drain_stderr(c);
				c->state = ST_STATUS;
				continue;
			}
			if (t_now >= c->deadline) {
				snprintf(err, sizeof(err), "the agent did not finish within %d s%s", run_timeout,
					 c->out.total == 0 ? " and sent nothing" : "");
				failed(c, err);
				return;
			}
			/* More may be waiting: after the others' turn. */
			c->more = n > 0;
			return;
		case ST_STATUS:
			/* The exit status may come after the end of the output. */
			c->status = ssh_channel_get_exit_status(c->ch);
			if (c->status == -1 && ssh_channel_is_open(c->ch) && t_now < c->deadline &&
			    ssh_is_connected(c->s))
				return;
			rc = run_conclude(&c->out, c->status, c->write_err, c->errtext, err, sizeof(err));
			if (rc == RUN_AGENT_ABSENT) {
				/* The node has no agent of this build: send it, then ask again. */
				hand_off(c, 0);
				return;
			}
			if (rc != 0) {
				failed(c, err);
				return;
			}
			finish(c);
			return;
		case ST_RESOLVE:
		case ST_THREAD:
		case ST_DONE:
			return;
		}
	}
}

static int
waiting(const struct conn *c)
{
	return c->state != ST_RESOLVE && c->state != ST_THREAD && c->state != ST_DONE;
}

void
loop_run(struct fleet *fleet, const struct options *opts, struct ssh_ctx *ssh,
	 const struct agent_blob *agent, struct results *res)
{
	struct loop f = {fleet, opts, ssh, agent, res, NULL, {-1, -1}};
	size_t n = fleet->n;
	size_t forks = opts->forks > 0 ? (size_t)opts->forks : 1, next = 0, busy = 0;
	size_t nslots = forks < n ? forks : n;
	struct pollfd *pfd = NULL;
	size_t *who = NULL;

	/* A slot per host in flight, not per host: an inventory of thousands
	 * costs no more than --forks of them. */
	if ((f.c = calloc(nslots ? nslots : 1, sizeof(*f.c))) == NULL ||
	    (pfd = calloc(nslots + 1, sizeof(*pfd))) == NULL ||
	    (who = calloc(nslots + 1, sizeof(*who))) == NULL || pipe2(f.wake, O_CLOEXEC) != 0 ||
	    fcntl(f.wake[0], F_SETFL, O_NONBLOCK) != 0) {
		for (size_t i = 0; i < n; i++)
			results_failed(res, i, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nslots; k++)
		f.c[k].state = ST_DONE;

	while (next < n || busy > 0) {
		double t_now, wake_at;
		size_t np = 0;
		int ms;

		for (size_t k = 0; k < nslots && next < n; k++) {
			struct conn *c = &f.c[k];

			if (c->state != ST_DONE)
				continue;
			*c = (struct conn){.f = &f, .slot = k, .host = next++, .status = -1};
			start(c);
			step(c);
			busy += c->state != ST_DONE;
		}
		t_now = now();
		/* A host that failed at once left its slot to the next one. */
		wake_at = next < n && busy < nslots ? t_now : t_now + 1;
		pfd[np] = (struct pollfd){.fd = f.wake[0], .events = POLLIN};
		who[np++] = nslots;
		for (size_t k = 0; k < nslots; k++) {
			struct conn *c = &f.c[k];
			socket_t fd;

			if (!waiting(c))
				continue;
			if (c->more)
				wake_at = t_now;
			if (c->deadline < wake_at)
				wake_at = c->deadline;
			if (c->state == ST_READ && c->stderr_at < wake_at)
				wake_at = c->stderr_at;
			if ((fd = ssh_get_fd(c->s)) == SSH_INVALID_SOCKET)
				continue;
			pfd[np] = (struct pollfd){.fd = fd, .events = POLLIN};
			if (ssh_get_poll_flags(c->s) & SSH_WRITE_PENDING)
				pfd[np].events |= POLLOUT;
			who[np++] = k;
		}
		ms = wake_at > t_now ? (int)((wake_at - t_now) * 1000) + 1 : 0;
		/* Only EINTR and ENOMEM are possible here: either way the hosts
		 * are stepped again, by their deadlines if need be. */
		if (poll(pfd, np, ms) < 0) {
			for (size_t k = 0; k < np; k++)
				pfd[k].revents = 0;
		}
		t_now = now();
		if (pfd[0].revents & POLLIN) {
			size_t k;

			while (read(f.wake[0], &k, sizeof(k)) == (ssize_t)sizeof(k)) {
				struct conn *c = &f.c[k];

				pthread_join(c->thread, NULL);
				if (c->state == ST_RESOLVE) {
					/* -T counts from the connect, as in libssh's own. */
					c->state = ST_CONNECT;
					c->deadline = now() + opts->timeout;
					c->have_first_rc = 1;
					step(c);
					busy -= c->state == ST_DONE;
				} else {
					c->state = ST_DONE;
					busy--;
				}
			}
		}
		for (size_t j = 1; j < np; j++) {
			struct conn *c = &f.c[who[j]];

			if (pfd[j].revents == 0 && !c->more && t_now < c->deadline &&
			    !(c->state == ST_READ && t_now >= c->stderr_at))
				continue;
			c->more = 0;
			step(c);
			busy -= c->state == ST_DONE;
		}
		/* Sessions that have no socket yet only have deadlines. */
		for (size_t k = 0; k < nslots; k++) {
			struct conn *c = &f.c[k];

			if (waiting(c) && c->s != NULL && ssh_get_fd(c->s) == SSH_INVALID_SOCKET) {
				step(c);
				busy -= c->state == ST_DONE;
			}
		}
	}
out:
	if (f.wake[0] >= 0) {
		close(f.wake[0]);
		close(f.wake[1]);
	}
	free(f.c);
	free(pfd);
	free(who);
}
