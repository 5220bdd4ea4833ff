/* floor [--forks N] [--timeout S] --known-hosts FILE -i KEY [-l USER] HOSTS-FILE
 *
 * The floor any SSH-based controller stands on: for each host of HOSTS-FILE
 * (lines "ADDRESS PORT") it connects, checks the host key against FILE
 * (strict: an unknown or changed key fails), logs in with KEY, opens a
 * session channel, runs `true` and reads to EOF and the exit status, with at
 * most N sessions at once (default 20). It costs what orch's engine costs
 * and nothing more: one thread, nonblocking libssh sessions and poll(2),
 * the key read once, OpenSSL's random bytes from getrandom(2) (random.c,
 * the controller's own), TCP_NODELAY, no ssh config file read.
 *
 * Prints "done D failed F"; each failure is named on stderr; exits 1 if any
 * host failed, 2 on bad usage. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>

#include "clock.h"
#include "random.h"

enum state { ST_IDLE, ST_CONNECT, ST_AUTH, ST_OPEN, ST_EXEC, ST_READ, ST_STATUS };

struct host {
	char *address;
	unsigned int port;
};

struct slot {
	enum state state;
	const struct host *h;
	ssh_session s;
	ssh_channel ch;
	double deadline;
};

static struct {
	const char *known_hosts, *user;
	ssh_key key;
	int timeout;
	size_t done, failed;
} cfg = {.user = "root", .timeout = 60};

static void
release(struct slot *sl)
{
	if (sl->ch != NULL) {
		ssh_channel_free(sl->ch);
		sl->ch = NULL;
	}
	if (sl->s != NULL) {
		if (ssh_is_connected(sl->s))
			ssh_disconnect(sl->s);
		ssh_free(sl->s);
		sl->s = NULL;
	}
	sl->state = ST_IDLE;
}

static void
finish(struct slot *sl, const char *why)
{
	if (why == NULL)
		cfg.done++;
	else {
		cfg.failed++;
		fprintf(stderr, "floor: %s:%u: %s\n", sl->h->address, sl->h->port, why);
	}
	release(sl);
}

static void
fail_ssh(struct slot *sl, const char *what, int rc)
{
	char why[512];

	snprintf(why, sizeof(why), "%s: %s", what,
		 rc == SSH_AGAIN ? "no answer within the timeout" : ssh_get_error(sl->s));
	finish(sl, why);
}

static void
start(struct slot *sl, const struct host *h)
{
	long timeout = cfg.timeout;
	int yes = 1, no = 0;

	sl->h = h;
	sl->deadline = now() + cfg.timeout;
	if ((sl->s = ssh_new()) == NULL) {
		finish(sl, "out of memory");
		return;
	}
	if (ssh_options_set(sl->s, SSH_OPTIONS_HOST, h->address) != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_PORT, &h->port) != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_USER, cfg.user) != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_KNOWNHOSTS, cfg.known_hosts) != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_TIMEOUT, &timeout) != SSH_OK ||
	    ssh_options_set(sl->s, SSH_OPTIONS_NODELAY, &yes) != SSH_OK) {
		fail_ssh(sl, "cannot set up the session", SSH_ERROR);
		return;
	}
	ssh_set_blocking(sl->s, 0);
	sl->state = ST_CONNECT;
}

/* Takes sl as far as it goes without waiting. */
static void
step(struct slot *sl)
{
	char buf[4096];
	int rc;

	for (;;) {
		int late = now() >= sl->deadline;

		switch (sl->state) {
		case ST_IDLE:
			return;
		case ST_CONNECT:
			rc = ssh_connect(sl->s);
			if (rc == SSH_AGAIN && !late)
				return;
			if (rc != SSH_OK) {
				fail_ssh(sl, "cannot connect", rc);
				return;
			}
			switch (ssh_session_is_known_server(sl->s)) {
			case SSH_KNOWN_HOSTS_OK:
				break;
			case SSH_KNOWN_HOSTS_CHANGED:
			case SSH_KNOWN_HOSTS_OTHER:
				finish(sl, "the host key has changed");
				return;
			case SSH_KNOWN_HOSTS_UNKNOWN:
			case SSH_KNOWN_HOSTS_NOT_FOUND:
				finish(sl, "the host key is unknown");
				return;
			default:
				fail_ssh(sl, "cannot check the host key", SSH_ERROR);
				return;
			}
			sl->state = ST_AUTH;
			continue;
		case ST_AUTH:
			rc = ssh_userauth_publickey(sl->s, NULL, cfg.key);
			if (rc == SSH_AUTH_AGAIN && !late)
				return;
			if (rc != SSH_AUTH_SUCCESS) {
				fail_ssh(sl, "authentication failed", rc == SSH_AUTH_AGAIN ? SSH_AGAIN : SSH_ERROR);
				return;
			}
			sl->state = ST_OPEN;
			continue;
		case ST_OPEN:
			if (sl->ch == NULL && (sl->ch = ssh_channel_new(sl->s)) == NULL) {
				finish(sl, "out of memory");
				return;
			}
			rc = ssh_channel_open_session(sl->ch);
			if (rc == SSH_AGAIN && !late)
				return;
			if (rc != SSH_OK) {
				fail_ssh(sl, "cannot open a session channel", rc);
				return;
			}
			sl->state = ST_EXEC;
			continue;
		case ST_EXEC:
			rc = ssh_channel_request_exec(sl->ch, "true");
			if (rc == SSH_AGAIN && !late)
				return;
			if (rc != SSH_OK) {
				fail_ssh(sl, "cannot run true", rc);
				return;
			}
			sl->state = ST_READ;
			continue;
		case ST_READ:
			for (;;) {
				rc = ssh_channel_read_nonblocking(sl->ch, buf, sizeof(buf), 0);
				if (rc > 0)
					continue;
				/* stderr too, so that the window never stalls */
				if (rc == 0 && ssh_channel_read_nonblocking(sl->ch, buf, sizeof(buf), 1) > 0)
					continue;
				break;
			}
			if (rc == SSH_ERROR) {
				fail_ssh(sl, "lost the connection", SSH_ERROR);
				return;
			}
			if (rc == SSH_EOF || ssh_channel_is_eof(sl->ch)) {
				sl->state = ST_STATUS;
				continue;
			}
			if (late) {
				finish(sl, "no end of output within the timeout");
				return;
			}
			return;
		case ST_STATUS:
			/* The exit status may come after the end of the output. */
			rc = ssh_channel_get_exit_status(sl->ch);
			if (rc == -1 && ssh_channel_is_open(sl->ch) && ssh_is_connected(sl->s) && !late)
				return;
			if (rc != 0) {
				snprintf(buf, sizeof(buf), "true exited %d", rc);
				finish(sl, buf);
				return;
			}
			finish(sl, NULL);
			return;
		}
	}
}

static struct host *
read_hosts(const char *path, size_t *n)
{
	struct host *hosts = NULL;
	size_t cap = 0, line = 0;
	char buf[512], addr[256];
	unsigned int port;
	FILE *f;

	*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		line++;
		if (buf[strspn(buf, " \t\n")] == '\0')
			continue;
		if (sscanf(buf, "%255s %u", addr, &port) != 2 || port == 0 || port > 65535) {
			fprintf(stderr, "floor: %s:%zu: not \"ADDRESS PORT\"\n", path, line);
			exit(2);
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((hosts = realloc(hosts, cap * sizeof(*hosts))) == NULL) {
				fputs("floor: out of memory\n", stderr);
				exit(2);
			}
		}
		if ((hosts[*n].address = strdup(addr)) == NULL) {
			fputs("floor: out of memory\n", stderr);
			exit(2);
		}
		hosts[(*n)++].port = port;
	}
	fclose(f);
	return hosts;
}

static void
usage(void)
{
	fputs("usage: floor [--forks N] [--timeout S] --known-hosts FILE -i KEY [-l USER] HOSTS-FILE\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *identity = NULL, *hosts_file = NULL;
	struct host *hosts;
	struct slot *slots;
	struct pollfd *pfd;
	size_t *who;
	size_t nhosts, next = 0, busy = 0, forks = 20;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((strcmp(a, "--forks") == 0 || strcmp(a, "-f") == 0) && i + 1 < argc) {
			forks = strtoul(argv[++i], NULL, 10);
			if (forks == 0)
				usage();
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			if ((cfg.timeout = atoi(argv[++i])) <= 0)
				usage();
		} else if (strcmp(a, "--known-hosts") == 0 && i + 1 < argc)
			cfg.known_hosts = argv[++i];
		else if (strcmp(a, "-i") == 0 && i + 1 < argc)
			identity = argv[++i];
		else if (strcmp(a, "-l") == 0 && i + 1 < argc)
			cfg.user = argv[++i];
		else if (a[0] == '-' || hosts_file != NULL)
			usage();
		else
			hosts_file = a;
	}
	if (cfg.known_hosts == NULL || identity == NULL || hosts_file == NULL)
		usage();
	if (orch_random_init() != 0) {
		fputs("floor: cannot route OpenSSL's random bytes to getrandom(2)\n", stderr);
		return 2;
	}
	ssh_init();
	if (ssh_pki_import_privkey_file(identity, NULL, NULL, NULL, &cfg.key) != SSH_OK) {
		fprintf(stderr, "floor: cannot read the key '%s'\n", identity);
		return 2;
	}
	hosts = read_hosts(hosts_file, &nhosts);
	if (forks > nhosts)
		forks = nhosts ? nhosts : 1;
	slots = calloc(forks, sizeof(*slots));
	pfd = calloc(forks, sizeof(*pfd));
	who = calloc(forks, sizeof(*who));
	if (slots == NULL || pfd == NULL || who == NULL) {
		fputs("floor: out of memory\n", stderr);
		return 2;
	}
	for (;;) {
		size_t np = 0;

		/* fill free slots; a host that fails at once frees its slot again */
		for (size_t k = 0; k < forks && next < nhosts; k++) {
			if (slots[k].state != ST_IDLE)
				continue;
			start(&slots[k], &hosts[next++]);
			step(&slots[k]);
		}
		busy = 0;
		for (size_t k = 0; k < forks; k++) {
			socket_t fd;

			if (slots[k].state == ST_IDLE)
				continue;
			busy++;
			if ((fd = ssh_get_fd(slots[k].s)) == SSH_INVALID_SOCKET)
				continue;
			pfd[np] = (struct pollfd){.fd = fd, .events = POLLIN};
			if (ssh_get_poll_flags(slots[k].s) & SSH_WRITE_PENDING)
				pfd[np].events |= POLLOUT;
			who[np++] = k;
		}
		if (busy == 0 && next == nhosts)
			break;
		if (np > 0 && poll(pfd, np, 1000) < 0 && errno != EINTR) {
			perror("floor: poll");
			return 2;
		}
		for (size_t j = 0; j < np; j++) {
			if (pfd[j].revents != 0 || now() >= slots[who[j]].deadline)
				step(&slots[who[j]]);
		}
		/* sessions without a socket yet */
		for (size_t k = 0; k < forks; k++) {
			if (slots[k].state != ST_IDLE && ssh_get_fd(slots[k].s) == SSH_INVALID_SOCKET)
				step(&slots[k]);
		}
	}
	printf("done %zu failed %zu\n", cfg.done, cfg.failed);
	ssh_key_free(cfg.key);
	for (size_t i = 0; i < nhosts; i++)
		free(hosts[i].address);
	free(hosts);
	free(slots);
	free(pfd);
	free(who);
	ssh_finalize();
	return cfg.failed ? 1 : 0;
}
