/* Command line: the subcommands and options of design.md. */
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
	const char *inventory;
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

/* Prints the usage text to stdout. */
void cli_usage(void);

#endif
