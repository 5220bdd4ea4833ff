/*
 * The command line of orch(1) (controller/cli.c, docs/orch.1.in): each
 * subcommand and option, the defaults, and the refusals with their
 * messages. Each test parses an argv as main() would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"

#define ARGV(...) ((char *[]){"orch", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"orch", __VA_ARGS__}) / sizeof(char *)))

/* What cli_parse wrote to stdout and stderr, and what it returned. */
struct parsed {
	int rc;
	struct options o;
	char out[4096];
	char err[1024];
};

/* Reads what fd `saved` stood in for, from the temporary file f, into buf. */
static void
restore(FILE *f, int fd, int saved, char *buf, size_t len)
{
	size_t n;

	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
parse(struct parsed *p, int argc, char **argv)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int saved_out = dup(1), saved_err = dup(2);

	if (out == NULL || err == NULL || saved_out < 0 || saved_err < 0) {
		perror("capture");
		exit(2);
	}
	memset(p, 0, sizeof(*p));
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	p->rc = cli_parse(&p->o, argc, argv);
	restore(out, 1, saved_out, p->out, sizeof(p->out));
	restore(err, 2, saved_err, p->err, sizeof(p->err));
}

#define PARSE(p, ...) parse(p, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

/* Parsing fails (-1) with exactly this message on stderr. */
#define REFUSED(msg, ...)                                                     \
	do {                                                                  \
		struct parsed p_;                                             \
		PARSE(&p_, __VA_ARGS__);                                      \
		CHECK(p_.rc == -1);                                           \
		CHECK_STR(p_.err, msg);                                       \
		CHECK_STR(p_.out, "");                                        \
	} while (0)

static void
each_command_is_read(void)
{
	static const struct { const char *word; enum orch_command cmd; } cmds[] = {
		{"apply", CMD_APPLY}, {"facts", CMD_FACTS}, {"rollback", CMD_ROLLBACK},
	};
	struct parsed p;

	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		char word[16];

		snprintf(word, sizeof(word), "%s", cmds[k].word);
		PARSE(&p, word, "hosts.ini");
		CHECK(p.rc == 0);
		CHECK(p.o.command == cmds[k].cmd);
		CHECK_STR(p.err, "");
	}
	PARSE(&p, "inventory", "hosts.ini", "--list");
	CHECK(p.rc == 0);
	CHECK(p.o.command == CMD_INVENTORY);
	CHECK(p.o.list == 1 && p.o.graph == 0);
}

static void
defaults_are_the_documented_ones(void)
{
	struct parsed p;

	PARSE(&p, "apply", "hosts.ini");
	CHECK(p.rc == 0);
	CHECK(p.o.forks == 50 && p.o.forks == DEFAULT_FORKS);
	CHECK(p.o.serial == 1 && !p.o.serial_percent);
	CHECK(p.o.max_fail_percentage == 0);
	CHECK(p.o.reboot == REBOOT_AUTO);
	CHECK(p.o.reboot_timeout == 600);
	CHECK(p.o.maintenance_timeout == 600);
	CHECK(p.o.timeout == 10);
	CHECK(p.o.run_timeout == 900);
	CHECK(!p.o.check && !p.o.diff && !p.o.json && !p.o.accept_new && !p.o.verbose);
	CHECK(!p.o.allow_guest_shutdown && !p.o.maintenance && !p.o.list && !p.o.graph);
	CHECK(p.o.limit == NULL && p.o.junit == NULL && p.o.known_hosts == NULL && p.o.identity == NULL);
	CHECK(p.o.ninventories == 1);
	CHECK_STR(p.o.inventories[0], "hosts.ini");
}

static void
every_option_is_read(void)
{
	struct parsed p;

	PARSE(&p, "apply", "hosts.ini", "--check", "--diff", "--limit", "pve*", "--forks", "5",
	      "--serial", "3", "--max-fail-percentage", "40", "--reboot", "never", "--reboot-timeout", "1200",
	      "--allow-guest-shutdown", "--maintenance", "--maintenance-timeout", "90", "--json", "--junit", "out.xml",
	      "--known-hosts", "kh", "--accept-new", "--identity", "id_ed25519", "--timeout", "30",
	      "--run-timeout", "60", "--verbose");
	CHECK(p.rc == 0);
	CHECK_STR(p.err, "");
	CHECK(p.o.check && p.o.diff && p.o.json && p.o.accept_new);
	CHECK_STR(p.o.limit, "pve*");
	CHECK(p.o.forks == 5);
	CHECK(p.o.serial == 3 && !p.o.serial_percent);
	CHECK(p.o.max_fail_percentage == 40);
	CHECK(p.o.reboot == REBOOT_NEVER);
	CHECK(p.o.reboot_timeout == 1200);
	CHECK(p.o.allow_guest_shutdown && p.o.maintenance);
	CHECK(p.o.maintenance_timeout == 90);
	CHECK_STR(p.o.junit, "out.xml");
	CHECK_STR(p.o.known_hosts, "kh");
	CHECK_STR(p.o.identity, "id_ed25519");
	CHECK(p.o.timeout == 30);
	CHECK(p.o.run_timeout == 60);
	CHECK(p.o.verbose == 1);
}

static void
short_options_match_the_long_ones(void)
{
	struct parsed p;

	PARSE(&p, "facts", "-l", "node01", "-f", "7", "-i", "key", "-T", "5", "-v", "-v", "hosts.ini");
	CHECK(p.rc == 0);
	CHECK_STR(p.o.limit, "node01");
	CHECK(p.o.forks == 7);
	CHECK_STR(p.o.identity, "key");
	CHECK(p.o.timeout == 5);
	CHECK(p.o.verbose == 2);
}

static void
options_may_come_anywhere_and_inventories_keep_their_order(void)
{
	struct parsed p;
	char buf[64];

	PARSE(&p, "apply", "--check", "a.ini", "-f", "2", "dir", "b.yml", "--diff");
	CHECK(p.rc == 0);
	CHECK(p.o.check && p.o.diff && p.o.forks == 2);
	CHECK(p.o.ninventories == 3);
	if (p.o.ninventories == 3) {
		CHECK_STR(p.o.inventories[0], "a.ini");
		CHECK_STR(p.o.inventories[1], "dir");
		CHECK_STR(p.o.inventories[2], "b.yml");
	}
	CHECK_STR(cli_sources(&p.o, buf, sizeof(buf)), "a.ini dir b.yml");
	CHECK_STR(cli_sources(&p.o, buf, 8), "a.ini d");
}

static void
serial_takes_a_count_or_a_percentage(void)
{
	struct parsed p;

	PARSE(&p, "apply", "h.ini", "--serial", "25%");
	CHECK(p.rc == 0);
	CHECK(p.o.serial == 25 && p.o.serial_percent);
	PARSE(&p, "apply", "h.ini", "--serial", "100000");
	CHECK(p.rc == 0);
	CHECK(p.o.serial == MAX_SERIAL && !p.o.serial_percent);
	REFUSED("orch: --serial: '101' is not a number from 1 to 100\n", "apply", "h.ini", "--serial", "101%");
	REFUSED("orch: --serial: '0' is not a number from 1 to 100\n", "apply", "h.ini", "--serial", "0%");
	REFUSED("orch: --serial: '' is not a number from 1 to 100\n", "apply", "h.ini", "--serial", "%");
	REFUSED("orch: --serial: '100001' is not a number from 1 to 100000\n", "apply", "h.ini", "--serial", "100001");
}

static void
numbers_out_of_range_are_refused_with_the_range(void)
{
	REFUSED("orch: --forks: '0' is not a number from 1 to 1000\n", "apply", "h.ini", "--forks", "0");
	REFUSED("orch: --forks: '1001' is not a number from 1 to 1000\n", "apply", "h.ini", "-f", "1001");
	REFUSED("orch: --forks: '2x' is not a number from 1 to 1000\n", "apply", "h.ini", "-f", "2x");
	REFUSED("orch: --forks: '' is not a number from 1 to 1000\n", "apply", "h.ini", "-f", "");
	REFUSED("orch: --max-fail-percentage: '101' is not a number from 0 to 100\n",
		"apply", "h.ini", "--max-fail-percentage", "101");
	REFUSED("orch: --reboot-timeout: '86401' is not a number from 1 to 86400\n",
		"apply", "h.ini", "--reboot-timeout", "86401");
	REFUSED("orch: --maintenance-timeout: '0' is not a number from 1 to 86400\n",
		"apply", "h.ini", "--maintenance-timeout", "0");
	REFUSED("orch: --timeout: '3601' is not a number from 1 to 3600\n", "apply", "h.ini", "-T", "3601");
	REFUSED("orch: --run-timeout: '-1' is not a number from 1 to 86400\n", "apply", "h.ini", "--run-timeout", "-1");
	REFUSED("orch: --forks: '99999999999999999999' is not a number from 1 to 1000\n",
		"apply", "h.ini", "-f", "99999999999999999999");
}

static void
reboot_is_auto_or_never(void)
{
	struct parsed p;

	PARSE(&p, "apply", "h.ini", "--reboot", "auto");
	CHECK(p.rc == 0 && p.o.reboot == REBOOT_AUTO);
	REFUSED("orch: --reboot: 'always' is not auto or never\n", "apply", "h.ini", "--reboot", "always");
}

static void
unknown_command_and_option_are_refused(void)
{
	REFUSED("orch: unknown command 'aply' (try 'orch --help')\n", "aply", "h.ini");
	REFUSED("orch: unknown option '--chek' (try 'orch --help')\n", "apply", "h.ini", "--chek");
	REFUSED("orch: unknown option '-x' (try 'orch --help')\n", "apply", "h.ini", "-x");
}

static void
option_without_its_value_is_refused(void)
{
	REFUSED("orch: option '--limit' needs a value\n", "apply", "h.ini", "--limit");
	REFUSED("orch: option '-f' needs a value\n", "apply", "h.ini", "-f");
}

static void
command_and_inventory_are_required(void)
{
	REFUSED("orch: no command given (try 'orch --help')\n", "--check", "h.ini");
	REFUSED("orch: no inventory given (try 'orch --help')\n", "apply", "--check");
	REFUSED("orch: no inventory given (try 'orch --help')\n", "apply");
}

static void
inventory_takes_exactly_one_of_list_and_graph(void)
{
	struct parsed p;

	PARSE(&p, "inventory", "h.ini", "--graph");
	CHECK(p.rc == 0 && p.o.graph && p.o.graph_group == NULL);
	PARSE(&p, "inventory", "h.ini", "--graph=pve");
	CHECK(p.rc == 0 && p.o.graph);
	CHECK_STR(p.o.graph_group, "pve");
	REFUSED("orch: inventory: one of --list or --graph is required\n", "inventory", "h.ini");
	REFUSED("orch: inventory: one of --list or --graph is required\n", "inventory", "h.ini", "--list", "--graph");
	REFUSED("orch: --graph belongs to 'orch inventory'\n", "apply", "h.ini", "--graph");
	REFUSED("orch: --list belongs to 'orch inventory'\n", "facts", "h.ini", "--list");
}

static void
help_and_version_print_and_exit_zero(void)
{
	struct parsed p;

	PARSE(&p, "--help");
	CHECK(p.rc == 1);
	CHECK(strncmp(p.out, "usage: orch apply INVENTORY... [options]", 40) == 0);
	CHECK(strstr(p.out, "-f, --forks N              nodes handled at once (default 50)\n") != NULL);
	CHECK(strstr(p.out, "--reboot-timeout SECONDS   wait for a rebooting node (default 600)\n") != NULL);
	CHECK(strstr(p.out, "-T, --timeout SECONDS      connect and SSH operation timeout (default 10)\n") != NULL);
	CHECK(strstr(p.out, "--run-timeout SECONDS      time the agent may take on a node (default 900)\n") != NULL);
	CHECK(strstr(p.out, "exit status: the sum of 2 a host failed, 4 a host unreachable, 8 a host would change\n") != NULL);
	CHECK(strstr(p.out, "--maintenance-timeout SECONDS\n") != NULL);
	CHECK(strstr(p.out, "(--check only: drift), 16 a signal stopped the reboots;\n") != NULL);
	CHECK_STR(p.err, "");
	PARSE(&p, "apply", "h.ini", "-h");
	CHECK(p.rc == 1);
	CHECK(strncmp(p.out, "usage: ", 7) == 0);
	PARSE(&p, "--version");
	CHECK(p.rc == 1);
	CHECK_STR(p.out, "orch " ORCH_VERSION "\n");
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "each_command_is_read", each_command_is_read },
		{ "defaults_are_the_documented_ones", defaults_are_the_documented_ones },
		{ "every_option_is_read", every_option_is_read },
		{ "short_options_match_the_long_ones", short_options_match_the_long_ones },
		{ "options_may_come_anywhere_and_inventories_keep_their_order",
		  options_may_come_anywhere_and_inventories_keep_their_order },
		{ "serial_takes_a_count_or_a_percentage", serial_takes_a_count_or_a_percentage },
		{ "numbers_out_of_range_are_refused_with_the_range", numbers_out_of_range_are_refused_with_the_range },
		{ "reboot_is_auto_or_never", reboot_is_auto_or_never },
		{ "unknown_command_and_option_are_refused", unknown_command_and_option_are_refused },
		{ "option_without_its_value_is_refused", option_without_its_value_is_refused },
		{ "command_and_inventory_are_required", command_and_inventory_are_required },
		{ "inventory_takes_exactly_one_of_list_and_graph", inventory_takes_exactly_one_of_list_and_graph },
		{ "help_and_version_print_and_exit_zero", help_and_version_print_and_exit_zero },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
