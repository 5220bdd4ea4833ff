#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The decimal text of a macro's value, for the usage text. */
#define STR_(x) #x
#define STR(x) STR_(x)

enum {
	OPT_SERIAL = 256,
	OPT_MAX_FAIL,
	OPT_REBOOT,
	OPT_REBOOT_TIMEOUT,
	OPT_ALLOW_GUEST_SHUTDOWN,
	OPT_MAINTENANCE,
	OPT_MAINTENANCE_TIMEOUT,
	OPT_JSON,
	OPT_JUNIT,
	OPT_KNOWN_HOSTS,
	OPT_ACCEPT_NEW,
	OPT_RUN_TIMEOUT,
	OPT_LIST,
	OPT_GRAPH,
	OPT_CHECK,
	OPT_DIFF,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{"check", no_argument, NULL, OPT_CHECK},
	{"diff", no_argument, NULL, OPT_DIFF},
	{"limit", required_argument, NULL, 'l'},
	{"forks", required_argument, NULL, 'f'},
	{"serial", required_argument, NULL, OPT_SERIAL},
	{"max-fail-percentage", required_argument, NULL, OPT_MAX_FAIL},
	{"reboot", required_argument, NULL, OPT_REBOOT},
	{"reboot-timeout", required_argument, NULL, OPT_REBOOT_TIMEOUT},
	{"allow-guest-shutdown", no_argument, NULL, OPT_ALLOW_GUEST_SHUTDOWN},
	{"maintenance", no_argument, NULL, OPT_MAINTENANCE},
	{"maintenance-timeout", required_argument, NULL, OPT_MAINTENANCE_TIMEOUT},
	{"json", no_argument, NULL, OPT_JSON},
	{"junit", required_argument, NULL, OPT_JUNIT},
	{"known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS},
	{"accept-new", no_argument, NULL, OPT_ACCEPT_NEW},
	{"identity", required_argument, NULL, 'i'},
	{"timeout", required_argument, NULL, 'T'},
	{"run-timeout", required_argument, NULL, OPT_RUN_TIMEOUT},
	{"list", no_argument, NULL, OPT_LIST},
	{"graph", optional_argument, NULL, OPT_GRAPH},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* Prints the usage text to stdout. */
static void
cli_usage(void)
{
	fputs(
"usage: orch apply INVENTORY... [options]      configure PCIe passthrough on the nodes\n"
"       orch facts INVENTORY... [options]      gather and print node facts\n"
"       orch inventory INVENTORY... --list     the parsed inventory, as ansible-inventory --list prints it\n"
"       orch inventory INVENTORY... --graph[=GROUP]  its groups and hosts as a tree, as ansible-inventory --graph\n"
"       orch rollback INVENTORY... [options]   restore what orch changed\n"
"       orch --version | --help\n"
"\n"
"INVENTORY: an INI or YAML inventory file or a directory of them, with the\n"
"group_vars/ and host_vars/ beside it; several are merged in order, as\n"
"ansible-inventory -i A -i B merges them. Options may come anywhere.\n"
"\n"
"options:\n"
"  --check                    change nothing, report what would change (exit status " STR(EXIT_DRIFT) ")\n"
"  --diff                     show the changes to files\n"
"  -l, --limit PATTERN        only hosts matching PATTERN (ansible --limit syntax)\n"
"  -f, --forks N              nodes handled at once (default " STR(DEFAULT_FORKS) ")\n"
"  --serial N|N%              nodes rebooted at once (default " STR(DEFAULT_SERIAL) ")\n"
"  --max-fail-percentage P    failed nodes per reboot batch that stop the rollout (default " STR(DEFAULT_MAX_FAIL_PERCENTAGE) ")\n"
"  --reboot auto|never        reboot nodes whose change needs it (default auto)\n"
"  --reboot-timeout SECONDS   wait for a rebooting node (default " STR(DEFAULT_REBOOT_TIMEOUT) ")\n"
"  --allow-guest-shutdown     reboot nodes that run guests\n"
"  --maintenance              move HA guests away before a reboot\n"
"  --maintenance-timeout SECONDS\n"
"                             wait for HA services to leave a node (default " STR(DEFAULT_MAINTENANCE_TIMEOUT) ")\n"
"  --json                     print one JSON document instead of text\n"
"  --junit FILE               write a JUnit report (one testcase per node and step)\n"
"  --known-hosts FILE         check host keys against FILE (default ~/.ssh/known_hosts)\n"
"  --accept-new               record unknown host keys (changed ones are always refused)\n"
"  -i, --identity KEYFILE     private key to log in with (after ssh-agent)\n"
"  -T, --timeout SECONDS      connect and SSH operation timeout (default " STR(DEFAULT_TIMEOUT) ")\n"
"  --run-timeout SECONDS      time the agent may take on a node (default " STR(DEFAULT_RUN_TIMEOUT) ")\n"
"  -v, --verbose              show commands run on the nodes and their output\n"
"  -h, --help                 this text\n"
"  --version                  the version\n"
"\n"
"exit status: the sum of " STR(EXIT_HOST_FAILED) " a host failed, " STR(EXIT_HOST_UNREACHABLE)
" a host unreachable, " STR(EXIT_DRIFT) " a host would change\n"
"(--check only: drift), " STR(EXIT_INTERRUPTED) " a signal stopped the reboots;\n"
STR(EXIT_OK) " all hosts ok (a converged fleet under --check too);\n"
STR(EXIT_ERROR) " a usage or inventory error, before any node is contacted\n",
	    stdout);
}

static int
parse_int(const char *opt, const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "orch: %s: '%s' is not a number from %d to %d\n", opt, s, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
parse_command(const char *s, enum orch_command *out)
{
	static const struct { const char *name; enum orch_command cmd; } cmds[] = {
		{"apply", CMD_APPLY}, {"facts", CMD_FACTS},
		{"inventory", CMD_INVENTORY}, {"rollback", CMD_ROLLBACK},
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(s, cmds[i].name) == 0) {
			*out = cmds[i].cmd;
			return 0;
		}
	}
	return -1;
}

int
cli_parse(struct options *out, int argc, char **argv)
{
	struct options o = {
		.forks = DEFAULT_FORKS, .serial = DEFAULT_SERIAL,
		.max_fail_percentage = DEFAULT_MAX_FAIL_PERCENTAGE, .reboot = REBOOT_AUTO,
		.reboot_timeout = DEFAULT_REBOOT_TIMEOUT, .maintenance_timeout = DEFAULT_MAINTENANCE_TIMEOUT,
		.timeout = DEFAULT_TIMEOUT,
		.run_timeout = DEFAULT_RUN_TIMEOUT,
	};
	int c, first = 1;

	if (argc >= 2 && argv[1][0] != '-') {
		if (parse_command(argv[1], &o.command) != 0) {
			fprintf(stderr, "orch: unknown command '%s' (try 'orch --help')\n", argv[1]);
			return -1;
		}
		first = 2;
	}
	optind = first;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:f:i:T:vh", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_CHECK: o.check = 1; break;
		case OPT_DIFF: o.diff = 1; break;
		case 'l': o.limit = optarg; break;
		case 'f':
			if (parse_int("--forks", optarg, 1, MAX_FORKS, &o.forks) != 0)
				return -1;
			break;
		case OPT_SERIAL: {
			size_t n = strlen(optarg);
			char buf[32];

			if (n > 0 && n < sizeof(buf) && optarg[n - 1] == '%') {
				memcpy(buf, optarg, n - 1);
				buf[n - 1] = '\0';
				o.serial_percent = 1;
				if (parse_int("--serial", buf, 1, 100, &o.serial) != 0)
					return -1;
			} else if (parse_int("--serial", optarg, 1, MAX_SERIAL, &o.serial) != 0)
				return -1;
			break;
		}
		case OPT_MAX_FAIL:
			if (parse_int("--max-fail-percentage", optarg, 0, 100, &o.max_fail_percentage) != 0)
				return -1;
			break;
		case OPT_REBOOT:
			if (strcmp(optarg, "auto") == 0)
				o.reboot = REBOOT_AUTO;
			else if (strcmp(optarg, "never") == 0)
				o.reboot = REBOOT_NEVER;
			else {
				fprintf(stderr, "orch: --reboot: '%s' is not auto or never\n", optarg);
				return -1;
			}
			break;
		case OPT_REBOOT_TIMEOUT:
			if (parse_int("--reboot-timeout", optarg, 1, MAX_REBOOT_TIMEOUT, &o.reboot_timeout) != 0)
				return -1;
			break;
		case OPT_ALLOW_GUEST_SHUTDOWN: o.allow_guest_shutdown = 1; break;
		case OPT_MAINTENANCE: o.maintenance = 1; break;
		case OPT_MAINTENANCE_TIMEOUT:
			if (parse_int("--maintenance-timeout", optarg, 1, MAX_MAINTENANCE_TIMEOUT,
				      &o.maintenance_timeout) != 0)
				return -1;
			break;
		case OPT_JSON: o.json = 1; break;
		case OPT_JUNIT: o.junit = optarg; break;
		case OPT_KNOWN_HOSTS: o.known_hosts = optarg; break;
		case OPT_ACCEPT_NEW: o.accept_new = 1; break;
		case 'i': o.identity = optarg; break;
		case 'T':
			if (parse_int("--timeout", optarg, 1, MAX_TIMEOUT, &o.timeout) != 0)
				return -1;
			break;
		case OPT_RUN_TIMEOUT:
			if (parse_int("--run-timeout", optarg, 1, MAX_RUN_TIMEOUT, &o.run_timeout) != 0)
				return -1;
			break;
		case OPT_LIST: o.list = 1; break;
		case OPT_GRAPH: o.graph = 1; o.graph_group = optarg; break;
		case 'v': o.verbose++; break;
		case 'h': cli_usage(); return 1;
		case OPT_VERSION: printf("orch %s\n", ORCH_VERSION); return 1;
		case ':':
			fprintf(stderr, "orch: option '%s' needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "orch: unknown option '%s' (try 'orch --help')\n", argv[optind - 1]);
			return -1;
		}
	}
	if (o.command == CMD_NONE) {
		fputs("orch: no command given (try 'orch --help')\n", stderr);
		return -1;
	}
	if (optind >= argc) {
		fputs("orch: no inventory given (try 'orch --help')\n", stderr);
		return -1;
	}
	/* getopt_long has moved the operands, the inventory sources, to the end
	 * in their order. */
	o.inventories = (const char *const *)&argv[optind];
	o.ninventories = (size_t)(argc - optind);
	if (o.command == CMD_INVENTORY && o.list + o.graph != 1) {
		fputs("orch: inventory: one of --list or --graph is required\n", stderr);
		return -1;
	}
	if (o.command != CMD_INVENTORY && o.graph) {
		fputs("orch: --graph belongs to 'orch inventory'\n", stderr);
		return -1;
	}
	if (o.command != CMD_INVENTORY && o.list) {
		fputs("orch: --list belongs to 'orch inventory'\n", stderr);
		return -1;
	}
	*out = o;
	return 0;
}

const char *
cli_sources(const struct options *o, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < o->ninventories && used < len; k++) {
		int n = snprintf(buf + used, len - used, "%s%s", k ? " " : "", o->inventories[k]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
