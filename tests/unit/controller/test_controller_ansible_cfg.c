/*
 * Ansible's settings orch does not read (controller/ansible_cfg.c): the
 * ansible.cfg found where Ansible looks for it, in its order, and the
 * ANSIBLE_* environment; each setting that would change how Ansible
 * connects is warned about with its file, line, section and key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ansible_cfg.h"
#include "harness.h"

static char dir[64], start[4096];

static void
write_file(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

/* A scratch directory as HOME and working directory, none of Ansible's
 * variables set. */
static void
scene(void)
{
	static const char *const vars[] = {"ANSIBLE_CONFIG", "ANSIBLE_REMOTE_USER", "ANSIBLE_REMOTE_PORT",
		"ANSIBLE_PRIVATE_KEY_FILE", "ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_TIMEOUT", "ANSIBLE_FORKS",
		"ANSIBLE_BECOME", "ANSIBLE_BECOME_USER", "ANSIBLE_BECOME_METHOD", "ANSIBLE_SSH_ARGS",
		"ANSIBLE_SSH_COMMON_ARGS", "ANSIBLE_SSH_EXTRA_ARGS"};

	if (start[0] == '\0' && getcwd(start, sizeof(start)) == NULL)
		abort();
	snprintf(dir, sizeof(dir), "/tmp/orch-ansible-cfg.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
		unsetenv(vars[k]);
	setenv("HOME", dir, 1);
	if (chdir(dir) != 0)
		abort();
}

static void
scene_end(void)
{
	char cmd[128];

	if (chdir(start) != 0)
		abort();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		abort();
}

/* What ansible_cfg_warn wrote, and how many warnings it counted. */
static char *
warnings(size_t *count)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	*count = ansible_cfg_warn(out);
	fclose(out);
	return text;
}

static void
settings_that_change_the_connection_are_warned_with_their_line(void)
{
	char want[4096], *text;
	size_t n;

	scene();
	write_file("site.cfg", "# a site's settings\n"
			       "[defaults]\n"
			       "inventory = hosts.ini\n"
			       "remote_user = admin ; who logs in\n"
			       "Host_Key_Checking: False\n"
			       "forks=10\n"
			       "\n"
			       "[privilege_escalation]\n"
			       "become = True\n"
			       "become_user = root\n"
			       "become_method = su\n"
			       "[ssh_connection]\n"
			       "ssh_args = -o ProxyJump=bastion\n"
			       "pipelining = True\n");
	snprintf(want, sizeof(want), "%s/site.cfg", dir);
	setenv("ANSIBLE_CONFIG", want, 1);
	text = warnings(&n);
	snprintf(want, sizeof(want),
		 "orch: warning: %1$s/site.cfg:4: [defaults] remote_user = admin is not read by orch (use ansible_user "
		 "in the inventory)\n"
		 "orch: warning: %1$s/site.cfg:5: [defaults] host_key_checking = False is not read by orch (orch always "
		 "checks host keys: --known-hosts, --accept-new)\n"
		 "orch: warning: %1$s/site.cfg:6: [defaults] forks = 10 is not read by orch (use -f/--forks)\n"
		 "orch: warning: %1$s/site.cfg:9: [privilege_escalation] become = True is not read by orch (use "
		 "ansible_become in the inventory)\n"
		 "orch: warning: %1$s/site.cfg:11: [privilege_escalation] become_method = su is not read by orch (orch "
		 "becomes root with sudo -n)\n"
		 "orch: warning: %1$s/site.cfg:13: [ssh_connection] ssh_args = -o ProxyJump=bastion is not read by orch "
		 "(use a Host block of ~/.ssh/config)\n",
		 dir);
	CHECK_STR(text, want);
	CHECK(n == 6);
	free(text);
	scene_end();
}

/* ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg), then
 * ./ansible.cfg unless the directory is world-writable, then ~/.ansible.cfg:
 * the first found is the one read. */
static void
the_file_is_the_first_found_in_ansibles_order(void)
{
	char path[4200], want[4200];

	scene();
	CHECK(ansible_cfg_find(path, sizeof(path)) == 0 || strcmp(path, "/etc/ansible/ansible.cfg") == 0);
	write_file(".ansible.cfg", "[defaults]\n");
	snprintf(want, sizeof(want), "%s/.ansible.cfg", dir);
	CHECK(ansible_cfg_find(path, sizeof(path)) == 1);
	CHECK_STR(path, want);
	write_file("ansible.cfg", "[defaults]\n");
	snprintf(want, sizeof(want), "%s/ansible.cfg", dir);
	CHECK(ansible_cfg_find(path, sizeof(path)) == 1);
	CHECK_STR(path, want);
	chmod(dir, 0777);
	snprintf(want, sizeof(want), "%s/.ansible.cfg", dir);
	CHECK(ansible_cfg_find(path, sizeof(path)) == 1);
	CHECK_STR(path, want);
	chmod(dir, 0700);
	mkdir("conf", 0700);
	write_file("conf/ansible.cfg", "[defaults]\n");
	setenv("ANSIBLE_CONFIG", "conf", 1);
	CHECK(ansible_cfg_find(path, sizeof(path)) == 1);
	CHECK_STR(path, "conf/ansible.cfg");
	scene_end();
}

static void
the_environment_is_warned_about_too(void)
{
	char *text;
	size_t n;

	scene();
	setenv("ANSIBLE_REMOTE_USER", "admin", 1);
	setenv("ANSIBLE_HOST_KEY_CHECKING", "True", 1);
	setenv("ANSIBLE_BECOME_METHOD", "sudo", 1);
	text = warnings(&n);
	CHECK_STR(text, "orch: warning: the environment's ANSIBLE_REMOTE_USER=admin is not read by orch (use "
			"ansible_user in the inventory)\n");
	CHECK(n == 1);
	free(text);
	scene_end();
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"settings_that_change_the_connection_are_warned_with_their_line",
		 settings_that_change_the_connection_are_warned_with_their_line},
		{"the_file_is_the_first_found_in_ansibles_order", the_file_is_the_first_found_in_ansibles_order},
		{"the_environment_is_warned_about_too", the_environment_is_warned_about_too},
		{NULL, NULL},
	};

	return harness_main(tests, argc, argv);
}
