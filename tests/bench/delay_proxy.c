/* delay_proxy --port P --delay MS [--rate MBIT] [--to-octet O] [--to-port Q] [--stats FILE]
 *
 * A link with latency, for the bench (the kernel here has no sch_netem):
 * accepts TCP on every local address at port P and connects each
 * connection to the same address with its second octet made O (default 1)
 * at port Q (default 22): 127.2.X.Y:P -> 127.1.X.Y:Q. Every byte read from
 * either side is held MS milliseconds (from when it was read) before it is
 * written to the other; with --rate, each direction of a connection is also
 * a link of MBIT Mbit/s (a chunk leaves when the link has sent the ones
 * before it and itself). One thread, epoll, TCP_NODELAY on both sides: no
 * delay but the one asked for.
 *
 * It counts, per connection, the client's turns: the times the client sent
 * after having received something since its last send (the round trips it
 * waited for). The TCP handshake is not among them (the kernel answers the
 * SYN at once: a connection is one round trip cheaper than on a real link).
 * On SIGUSR1 and at exit (SIGTERM, SIGINT) it writes FILE anew (through
 * FILE.tmp, renamed), a line per connection seen since the last write:
 *   ADDRESS TURNS SECONDS BYTES-UP BYTES-DOWN
 * (ADDRESS the one the client connected to; SECONDS from the accept to the
 * client's end, or to the write for a connection still open). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

struct chunk {
	struct chunk *next;
	double at;       /* when it may be written */
	size_t len, off;
	char data[];
};

/* One direction: bytes read from `from`, written to `to` after the delay. */
struct pipe {
	int from_eof;      /* read side ended: shut `to` down once drained */
	int shut;
	double link_free;  /* --rate: when the link has sent what it holds */
	struct chunk *head, *tail;
	uint64_t bytes;
};

struct conn {
	struct conn *next, *prev;
	int cfd, sfd;            /* client, server */
	int sconnected;
	struct pipe up, down;    /* client -> server, server -> client */
	struct in_addr addr;
	double t0, t_end;
	unsigned long turns;
	int got_since_send;      /* the client was sent bytes since its last send */
	int dead;
	int cwatched, swatched;  /* in the epoll set */
	/* epoll tags: which side an event is for */
	struct tag { struct conn *c; int side; } tc, ts;
};

static double delay_s, rate_bps;
static int ep;
static struct conn *conns;
static const char *stats_path;
static int want_dump, want_exit;

static void
nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
watch(int fd, struct tag *t, uint32_t events, int op)
{
	struct epoll_event ev = {.events = events, .data.ptr = t};

	if (epoll_ctl(ep, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
		perror("delay_proxy: epoll_ctl");
		exit(1);
	}
}

static void
write_record(FILE *f, struct conn *c, double t)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &c->addr, a, sizeof(a));
	fprintf(f, "%s %lu %.6f %llu %llu\n", a, c->turns, (c->t_end > 0 ? c->t_end : t) - c->t0,
		(unsigned long long)c->up.bytes, (unsigned long long)c->down.bytes);
}

static void
free_chunks(struct pipe *p)
{
	while (p->head != NULL) {
		struct chunk *n = p->head->next;

		free(p->head);
		p->head = n;
	}
	p->tail = NULL;
}

static void
conn_free(struct conn *c)
{
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->sfd >= 0)
		close(c->sfd);
	free_chunks(&c->up);
	free_chunks(&c->down);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

/* Records (to the stats file) the connections seen since the last dump;
 * those that are over are forgotten. */
static void
dump_stats(void)
{
	double t = now();
	struct conn *c, *n;
	char tmp[4096];
	FILE *f;

	if (stats_path == NULL)
		return;
	/* renamed into place: a reader never sees half of it */
	snprintf(tmp, sizeof(tmp), "%s.tmp", stats_path);
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		return;
	}
	for (c = conns; c != NULL; c = n) {
		n = c->next;
		write_record(f, c, t);
		c->turns = 0;
		c->up.bytes = c->down.bytes = 0;
		c->t0 = t;
		if (c->dead)
			conn_free(c);
	}
	if (fclose(f) != 0 || rename(tmp, stats_path) != 0)
		perror(stats_path);
}

static void
kill_conn(struct conn *c)
{
	if (c->t_end == 0)
		c->t_end = now();
	/* close() takes the descriptors out of the epoll set */
	if (c->cfd >= 0) {
		close(c->cfd);
		c->cfd = -1;
	}
	if (c->sfd >= 0) {
		close(c->sfd);
		c->sfd = -1;
	}
	free_chunks(&c->up);
	free_chunks(&c->down);
	/* freed between two rounds of events, once its figures are written */
	c->dead = 1;
}

static void
update_events(struct conn *c)
{
	uint32_t ce = 0, se = 0;

	if (c->dead)
		return;
	if (!c->up.from_eof)
		ce |= EPOLLIN;
	if (c->down.head != NULL && c->down.head->at <= now())
		ce |= EPOLLOUT;
	if (!c->sconnected)
		se |= EPOLLOUT;
	else {
		if (!c->down.from_eof)
			se |= EPOLLIN;
		if (c->up.head != NULL && c->up.head->at <= now())
			se |= EPOLLOUT;
	}
	/* a side that is done both ways would only report EPOLLHUP */
	if (c->cwatched && c->up.from_eof && c->down.shut) {
		watch(c->cfd, NULL, 0, EPOLL_CTL_DEL);
		c->cwatched = 0;
	} else if (c->cwatched)
		watch(c->cfd, &c->tc, ce, EPOLL_CTL_MOD);
	if (c->swatched && c->down.from_eof && c->up.shut) {
		watch(c->sfd, NULL, 0, EPOLL_CTL_DEL);
		c->swatched = 0;
	} else if (c->swatched)
		watch(c->sfd, &c->ts, se, EPOLL_CTL_MOD);
}

/* Reads what fd has into p's queue, stamped with when it may leave. */
static int
take(int fd, struct pipe *p)
{
	char buf[65536];
	ssize_t n;
	int got = 0;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return got;
			return -1;
		}
		if (n == 0) {
			p->from_eof = 1;
			return got;
		}
		struct chunk *ch = malloc(sizeof(*ch) + (size_t)n);
		double t = now(), sent = t;

		if (ch == NULL)
			return -1;
		if (rate_bps > 0) {
			sent = (p->link_free > t ? p->link_free : t) + (double)n * 8 / rate_bps;
			p->link_free = sent;
		}
		ch->next = NULL;
		ch->at = sent + delay_s;
		ch->len = (size_t)n;
		ch->off = 0;
		memcpy(ch->data, buf, (size_t)n);
		if (p->tail)
			p->tail->next = ch;
		else
			p->head = ch;
		p->tail = ch;
		p->bytes += (uint64_t)n;
		got = 1;
	}
}

/* Writes p's due chunks to fd; shuts fd's sending side once p is drained
 * after its source ended. Returns how many bytes went, or -1. */
static long
give(int fd, struct pipe *p)
{
	double t = now();
	long total = 0;

	while (p->head != NULL && p->head->at <= t) {
		struct chunk *ch = p->head;
		ssize_t n = write(fd, ch->data + ch->off, ch->len - ch->off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return total;
			return -1;
		}
		total += n;
		ch->off += (size_t)n;
		if (ch->off < ch->len)
			return total;
		p->head = ch->next;
		if (p->head == NULL)
			p->tail = NULL;
		free(ch);
	}
	if (p->head == NULL && p->from_eof && !p->shut) {
		shutdown(fd, SHUT_WR);
		p->shut = 1;
	}
	return total;
}

static void
pump(struct conn *c)
{
	long n;

	if (c->dead)
		return;
	if (c->sconnected) {
		if (give(c->sfd, &c->up) < 0) {
			kill_conn(c);
			return;
		}
		if ((n = give(c->cfd, &c->down)) < 0) {
			kill_conn(c);
			return;
		}
		if (n > 0)
			c->got_since_send = 1;
	}
	if (c->up.shut && c->down.shut) {
		kill_conn(c);
		return;
	}
	update_events(c);
}

static void
accept_one(int lfd, uint16_t to_port, int to_octet)
{
	struct sockaddr_in local, dst;
	socklen_t len = sizeof(local);
	int cfd, sfd;
	struct conn *c;

	if ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
		return;
	if (getsockname(cfd, (struct sockaddr *)&local, &len) != 0) {
		close(cfd);
		return;
	}
	nodelay(cfd);
	dst = local;
	((unsigned char *)&dst.sin_addr)[1] = (unsigned char)to_octet;
	dst.sin_port = htons(to_port);
	if ((sfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		close(cfd);
		return;
	}
	nodelay(sfd);
	if (connect(sfd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS) {
		close(cfd);
		close(sfd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(cfd);
		close(sfd);
		return;
	}
	c->cfd = cfd;
	c->sfd = sfd;
	c->addr = local.sin_addr;
	c->t0 = now();
	c->tc = (struct tag){c, 0};
	c->ts = (struct tag){c, 1};
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	watch(cfd, &c->tc, EPOLLIN, EPOLL_CTL_ADD);
	watch(sfd, &c->ts, EPOLLOUT, EPOLL_CTL_ADD);
	c->cwatched = c->swatched = 1;
}

static void
on_event(struct tag *t, uint32_t ev)
{
	struct conn *c = t->c;

	if (c->dead)
		return;
	if (ev & EPOLLERR) {
		kill_conn(c);
		return;
	}
	if (t->side == 1 && !c->sconnected) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err != 0) {
			kill_conn(c);
			return;
		}
		c->sconnected = 1;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (t->side == 0 && !c->up.from_eof) {
			int got = take(c->cfd, &c->up);

			if (got < 0) {
				kill_conn(c);
				return;
			}
			if (got) {
				if (c->got_since_send)
					c->turns++;
				c->got_since_send = 0;
			}
			if (c->up.from_eof && c->t_end == 0)
				c->t_end = now();
		} else if (t->side == 1 && c->sconnected && !c->down.from_eof) {
			if (take(c->sfd, &c->down) < 0) {
				kill_conn(c);
				return;
			}
		}
	}
	pump(c);
}

/* The time until the first held chunk is due, in ms for epoll_wait. */
static int
next_due_ms(void)
{
	double first = -1, t = now();

	for (struct conn *c = conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		if (c->up.head && (first < 0 || c->up.head->at < first))
			first = c->up.head->at;
		if (c->down.head && (first < 0 || c->down.head->at < first))
			first = c->down.head->at;
	}
	if (first < 0)
		return -1;
	if (first <= t)
		return 0;
	/* round up: waking early only costs a loop */
	return (int)((first - t) * 1000) + 1;
}

static void
usage(void)
{
	fputs("usage: delay_proxy --port P --delay MS [--rate MBIT] [--to-octet O] [--to-port Q] [--stats FILE]\n",
	      stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	int port = 0, to_port = 22, to_octet = 1, lfd, sfd, one = 1;
	double delay_ms = -1, rate_mbit = 0;
	struct sockaddr_in any = {.sin_family = AF_INET};
	sigset_t mask;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--delay") == 0)
			delay_ms = atof(argv[++i]);
		else if (strcmp(argv[i], "--rate") == 0)
			rate_mbit = atof(argv[++i]);
		else if (strcmp(argv[i], "--to-octet") == 0)
			to_octet = atoi(argv[++i]);
		else if (strcmp(argv[i], "--to-port") == 0)
			to_port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--stats") == 0)
			stats_path = argv[++i];
		else
			usage();
	}
	if (port <= 0 || port > 65535 || delay_ms < 0 || to_port <= 0 || to_port > 65535 || to_octet < 0 ||
	    to_octet > 255 || rate_mbit < 0)
		usage();
	delay_s = delay_ms / 1000;
	rate_bps = rate_mbit * 1e6;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 || (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("delay_proxy");
		return 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	any.sin_port = htons((uint16_t)port);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&any, sizeof(any)) != 0 || listen(lfd, 4096) != 0) {
		perror("delay_proxy: listen");
		return 1;
	}
	static struct tag listen_tag, signal_tag;
	watch(lfd, &listen_tag, EPOLLIN, EPOLL_CTL_ADD);
	watch(sfd, &signal_tag, EPOLLIN, EPOLL_CTL_ADD);
	fprintf(stderr, "delay_proxy: listening on port %d, %.1f ms each way\n", port, delay_ms);

	for (;;) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, next_due_ms());

		if (n < 0 && errno != EINTR) {
			perror("delay_proxy: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct tag *t = evs[i].data.ptr;

			if (t == &listen_tag) {
				for (int k = 0; k < 64; k++)
					accept_one(lfd, (uint16_t)to_port, to_octet);
			} else if (t == &signal_tag) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					want_dump = 1;
					if (si.ssi_signo != SIGUSR1)
						want_exit = 1;
				}
			} else
				on_event(t, evs[i].events);
		}
		/* chunks that came due */
		double t = now();
		for (struct conn *c = conns, *nx; c != NULL; c = nx) {
			nx = c->next;
			if (!c->dead && ((c->up.head && c->up.head->at <= t) || (c->down.head && c->down.head->at <= t)))
				pump(c);
		}
		if (want_dump) {
			dump_stats();
			want_dump = 0;
		}
		if (want_exit) {
			while (conns != NULL)
				conn_free(conns);
			close(lfd);
			close(sfd);
			close(ep);
			return 0;
		}
		if (stats_path == NULL) {
			for (struct conn *c = conns, *nx; c != NULL; c = nx) {
				nx = c->next;
				if (c->dead)
					conn_free(c);
			}
		}
	}
}
