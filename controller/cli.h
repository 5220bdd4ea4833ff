/* Command line: the subcommands and options of orch(1) (docs/orch.1.in). */
#ifndef ORCH_CLI_H
#define ORCH_CLI_H

#include <stddef.h>

enum orch_command {
	CMD_NONE,
	CMD_APPLY,
	CMD_FACTS,
	CMD_INVENTORY,
	CMD_ROLLBACK,
};

enum reboot_mode {
	REBOOT_AUTO,
	REBOOT_NEVER,
};

/* Everything the user asked for; strings point into argv (never freed). */
struct options {
	enum orch_command command;
	const char *const *inventories;  /* the INVENTORY arguments, in order */
	size_t ninventories;             /* >= 1 */
	int check;
	int diff;
	const char *limit;          /* NULL: every host */
	int forks;                  /* >= 1 */
	int serial;                 /* hosts per reboot batch, or a percentage */
	int serial_percent;         /* serial is a percentage */
	int max_fail_percentage;    /* 0..100 */
	enum reboot_mode reboot;
	int reboot_timeout;         /* seconds */
	int allow_guest_shutdown;
	int maintenance;
	int maintenance_timeout;    /* seconds for HA services to leave a node */
	int json;
	const char *junit;          /* NULL: no JUnit file */
	const char *known_hosts;    /* NULL: ~/.ssh/known_hosts */
	int accept_new;
	const char *identity;       /* NULL: ssh-agent and default keys only */
	int timeout;                /* seconds for connecting and each SSH operation */
	int run_timeout;            /* seconds the agent may take on a node */
	int list;                   /* inventory --list */
	int graph;                  /* inventory --graph */
	const char *graph_group;    /* --graph=GROUP; NULL: all */
	int verbose;
};

/* Parses argv into *out. Returns 0, or -1 after printing the error (exit 1);
 * 1 when --help or --version was printed (exit 0). */
int cli_parse(struct options *out, int argc, char **argv);

/* The exit statuses of orch. A run's bits add up (2 + 4 + 8 = 14); the
 * usage text prints these numbers, so they are plain integer literals. */
#define EXIT_OK 0
#define EXIT_ERROR 1           /* usage, inventory or setup: no node contacted */
#define EXIT_HOST_FAILED 2
#define EXIT_HOST_UNREACHABLE 4
#define EXIT_DRIFT 8            /* --check: a host would change */
#define EXIT_INTERRUPTED 16     /* SIGINT or SIGTERM stopped a rolling reboot */

/* The options' defaults, printed by the usage text too (integer literals).
 *
 * --forks, from tests/bench/fleet.sh (tests/bench/README.md): through a link
 * of 25 ms each way a warm node takes 0.34 s, so a thousand nodes take about
 * 17 s at 20 at once and 7 s at 50; orch holds about 20 KiB more for each
 * session in flight (a warm apply of 1,000 nodes peaked at 26.1 MiB at 20
 * and 26.7 MiB at 50), and its CPU, 1.8 ms a node, stays under a fifth of a
 * core at 50. On loopback, where the nodes share the controller's CPUs,
 * more than 20 gained nothing. Past 50 the gain is for fleets of thousands,
 * at the price of that many key exchanges at once through the admin's
 * uplink or a bastion (whose sshd drops unauthenticated connections past
 * 10 at once by default, MaxStartups 10:30:100). */
#define DEFAULT_FORKS 50
#define DEFAULT_SERIAL 1
#define DEFAULT_MAX_FAIL_PERCENTAGE 0
#define DEFAULT_REBOOT_TIMEOUT 600      /* seconds */
#define DEFAULT_MAINTENANCE_TIMEOUT 600 /* seconds */
#define DEFAULT_TIMEOUT 10              /* seconds */
#define DEFAULT_RUN_TIMEOUT 900         /* seconds */

/* The largest values the options accept. */
#define MAX_FORKS 1000
#define MAX_SERIAL 100000
#define MAX_REBOOT_TIMEOUT 86400        /* seconds */
#define MAX_MAINTENANCE_TIMEOUT 86400   /* seconds */
#define MAX_TIMEOUT 3600                /* seconds */
#define MAX_RUN_TIMEOUT 86400           /* seconds */

/* Writes the inventory sources into buf as the command line gave them,
 * separated by a space ("hosts.ini group.yml"); returns buf. */
const char *cli_sources(const struct options *o, char *buf, size_t len);

#endif
