/*
 * Plan compilation (controller/plan.c): the plan a host's inventory
 * variables give (docs/protocol.md), and the connection target, without a
 * node: what tests/controller/plan_carries_inventory_variables.sh and
 * passthrough_and_host_drivers_as_lists.sh see through sshd.
 */
#include "compile.h"

#define STEPS_OF_APPLY(devices, cmdline, bind, drivers, unsafe, msrs)                         \
	"[{\"name\": \"facts\"}, {\"name\": \"devices\", \"args\": " devices "},"             \
	" {\"name\": \"kernel_cmdline\", \"args\": " cmdline "}, {\"name\": \"vfio_modules\"},"   \
	" {\"name\": \"vfio_bind\", \"args\": " bind "},"                                     \
	" {\"name\": \"host_drivers\", \"args\": " drivers "},"                               \
	" {\"name\": \"unsafe_interrupts\", \"args\": " unsafe "}, " msrs ","                 \
	" {\"name\": \"refresh\"}]"

static void
plan_carries_every_variable_in_its_step(void)
{
	struct inventory *inv = ini("[nodes]\n"
		"node02 ansible_host=127.0.0.1 passthrough=0000:82:00.0 orch_root=/srv/node02 iommu_pt=yes"
		" bind_by=address host_drivers=nouveau,snd_hda_intel unsafe_interrupts=no ignore_msrs=true"
		" disable_vga=no\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	o.check = o.diff = 1;
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_JSON(hp.plan, "{\"version\": 1, \"host\": \"node02\", \"check\": true, \"diff\": true,"
		" \"root\": \"/srv/node02\", \"steps\": "
		STEPS_OF_APPLY("{\"select\": [\"0000:82:00.0\"], \"bind_by\": \"address\"}",
			       "{\"iommu_pt\": true, \"framebuffer\": \"auto\"}", "{\"disable_vga\": \"no\"}",
			       "{\"mode\": \"list\", \"drivers\": [\"nouveau\", \"snd_hda_intel\"]}",
			       "{\"mode\": \"no\"}", "{\"name\": \"ignore_msrs\", \"args\": {\"enable\": true}}")
		"}");
	CHECK_JSON(hp.select, "[\"0000:82:00.0\"]");
	plan_release(&hp);
	inventory_free(inv);
}

static void
unset_variables_give_the_defaults(void)
{
	struct inventory *inv = ini("node01 passthrough=82:00\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	/* ignore_msrs unset: no "enable", the agent leaves the admin's kvm options alone */
	CHECK_JSON(hp.plan, "{\"version\": 1, \"host\": \"node01\", \"check\": false, \"diff\": false,"
		" \"root\": \"/\", \"steps\": "
		STEPS_OF_APPLY("{\"select\": [\"82:00\"], \"bind_by\": \"auto\"}",
			       "{\"iommu_pt\": false, \"framebuffer\": \"auto\"}", "{\"disable_vga\": \"auto\"}",
			       "{\"mode\": \"auto\"}", "{\"mode\": \"auto\"}", "{\"name\": \"ignore_msrs\"}")
		"}");
	plan_release(&hp);
	inventory_free(inv);
}

static void
host_without_passthrough_gets_facts_only(void)
{
	struct inventory *inv = ini("node01 iommu_pt=yes host_drivers=nouveau\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_JSON(hp.plan, "{\"version\": 1, \"host\": \"node01\", \"check\": false, \"diff\": false,"
		" \"root\": \"/\", \"steps\": [{\"name\": \"facts\"}]}");
	CHECK_JSON(hp.select, "[]");
	plan_release(&hp);
	inventory_free(inv);
}

static void
facts_command_is_facts_in_check_mode(void)
{
	struct inventory *inv = ini("node01 passthrough=82:00\n");
	struct options o = command(CMD_FACTS);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_JSON(hp.plan, "{\"version\": 1, \"host\": \"node01\", \"check\": true, \"diff\": false,"
		" \"root\": \"/\", \"steps\": [{\"name\": \"facts\"}]}");
	/* the selection still goes with the host: the facts table shows its devices */
	CHECK_JSON(hp.select, "[\"82:00\"]");
	plan_release(&hp);
	inventory_free(inv);
}

static void
rollback_restores_then_refreshes(void)
{
	struct inventory *inv = ini("node01 passthrough=82:00 orch_root=/srv/n1\n");
	struct options o = command(CMD_ROLLBACK);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_JSON(hp.plan, "{\"version\": 1, \"host\": \"node01\", \"check\": false, \"diff\": false,"
		" \"root\": \"/srv/n1\", \"steps\": [{\"name\": \"facts\"}, {\"name\": \"rollback\"},"
		" {\"name\": \"refresh\"}]}");
	plan_release(&hp);
	inventory_free(inv);
}

static void
selectors_are_normalised_and_kept_once(void)
{
	struct inventory *inv = ini("node01 passthrough=\" 0000:0A:00.1, 10DE:1B81 ,82:00,0a:00 ,10de:1b81\"\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_JSON(hp.select, "[\"0000:0a:00.1\", \"10de:1b81\", \"82:00\", \"0a:00\"]");
	CHECK_JSON(json_object_get(json_array_get(json_object_get(hp.plan, "steps"), 1), "args"),
		   "{\"select\": [\"0000:0a:00.1\", \"10de:1b81\", \"82:00\", \"0a:00\"], \"bind_by\": \"auto\"}");
	plan_release(&hp);
	inventory_free(inv);
}

static void
ini_python_lists_reach_the_plan(void)
{
	struct inventory *inv = ini("node01 passthrough=\"['0000:82:00.0']\" host_drivers=\"['nouveau', 'snd_hda_intel']\"\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];
	json_t *steps;

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	steps = json_object_get(hp.plan, "steps");
	CHECK_JSON(json_object_get(json_array_get(steps, 1), "args"),
		   "{\"select\": [\"0000:82:00.0\"], \"bind_by\": \"auto\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 5), "args"),
		   "{\"mode\": \"list\", \"drivers\": [\"nouveau\", \"snd_hda_intel\"]}");
	plan_release(&hp);
	inventory_free(inv);
}

static void
yaml_sequences_and_booleans_reach_the_plan(void)
{
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];
	json_t *steps;

	tree_make();
	tree_file("inventory.ini", "[nodes]\nnode02 ansible_host=127.0.0.1\n");
	tree_file("host_vars/node02.yml", "passthrough:\n  - \"0000:82:00.0\"\nhost_drivers:\n  - nouveau\n"
		  "iommu_pt: yes\nignore_msrs: no\n");
	inv = tree_inventory("inventory.ini");
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	steps = json_object_get(hp.plan, "steps");
	CHECK_JSON(json_object_get(json_array_get(steps, 1), "args"),
		   "{\"select\": [\"0000:82:00.0\"], \"bind_by\": \"auto\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 2), "args"), "{\"iommu_pt\": true, \"framebuffer\": \"auto\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 5), "args"), "{\"mode\": \"list\", \"drivers\": [\"nouveau\"]}");
	CHECK_JSON(json_array_get(steps, 7), "{\"name\": \"ignore_msrs\", \"args\": {\"enable\": false}}");
	plan_release(&hp);
	inventory_free(inv);
	tree_remove();
}

static void
words_are_read_in_any_case_and_booleans_as_ansible_reads_them(void)
{
	struct inventory *inv = ini("node01 passthrough=82:00 unsafe_interrupts=Yes disable_vga=off bind_by=ID"
				    " host_drivers=None iommu_pt=t ignore_msrs=0 reboot=NEVER\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];
	json_t *steps;

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	steps = json_object_get(hp.plan, "steps");
	CHECK_JSON(json_object_get(json_array_get(steps, 1), "args"), "{\"select\": [\"82:00\"], \"bind_by\": \"id\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 2), "args"), "{\"iommu_pt\": true, \"framebuffer\": \"auto\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 4), "args"), "{\"disable_vga\": \"no\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 5), "args"), "{\"mode\": \"none\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 6), "args"), "{\"mode\": \"yes\"}");
	CHECK_JSON(json_object_get(json_array_get(steps, 7), "args"), "{\"enable\": false}");
	CHECK(hp.target.reboot_never == 1);
	plan_release(&hp);
	inventory_free(inv);
}

static void
target_carries_the_connection_variables(void)
{
	struct inventory *inv = ini("node01 ansible_host=10.0.0.5 ansible_port=2222 ansible_user=admin"
				    " ansible_ssh_private_key_file=/root/.ssh/id ansible_become=true orch_root=/srv/n1\n"
				    "node02\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	CHECK_STR(hp.target.name, "node01");
	CHECK_STR(hp.target.address, "10.0.0.5");
	CHECK(hp.target.port == 2222);
	CHECK_STR(hp.target.user, "admin");
	CHECK_STR(hp.target.identity, "/root/.ssh/id");
	CHECK(hp.target.become == 1);
	CHECK_STR(hp.target.root, "/srv/n1");
	CHECK(hp.target.reboot_never == 0);
	plan_release(&hp);

	/* nothing set: the name is the address, the rest is ~/.ssh/config's */
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == 0);
	CHECK_STR(hp.target.address, "node02");
	CHECK(hp.target.port == 0 && hp.target.user == NULL && hp.target.identity == NULL);
	CHECK(hp.target.become == 0 && hp.target.root == NULL);
	plan_release(&hp);
	inventory_free(inv);
}

static void
safe_paths_are_absolute_plain_and_without_dot_dot(void)
{
	CHECK(plan_safe_path("/"));
	CHECK(plan_safe_path("/srv/node-01/root_2.d/a+b,c@d:e"));
	CHECK(plan_safe_path("/srv/..x/x.."));
	CHECK(!plan_safe_path("relative/path"));
	CHECK(!plan_safe_path(""));
	CHECK(!plan_safe_path("/srv/../etc"));
	CHECK(!plan_safe_path("/srv/.."));
	CHECK(!plan_safe_path("/srv/a b"));
	CHECK(!plan_safe_path("/srv/$(reboot)"));
	CHECK(!plan_safe_path("/srv/a;b"));
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "plan_carries_every_variable_in_its_step", plan_carries_every_variable_in_its_step },
		{ "unset_variables_give_the_defaults", unset_variables_give_the_defaults },
		{ "host_without_passthrough_gets_facts_only", host_without_passthrough_gets_facts_only },
		{ "facts_command_is_facts_in_check_mode", facts_command_is_facts_in_check_mode },
		{ "rollback_restores_then_refreshes", rollback_restores_then_refreshes },
		{ "selectors_are_normalised_and_kept_once", selectors_are_normalised_and_kept_once },
		{ "ini_python_lists_reach_the_plan", ini_python_lists_reach_the_plan },
		{ "yaml_sequences_and_booleans_reach_the_plan", yaml_sequences_and_booleans_reach_the_plan },
		{ "words_are_read_in_any_case_and_booleans_as_ansible_reads_them",
		  words_are_read_in_any_case_and_booleans_as_ansible_reads_them },
		{ "target_carries_the_connection_variables", target_carries_the_connection_variables },
		{ "safe_paths_are_absolute_plain_and_without_dot_dot", safe_paths_are_absolute_plain_and_without_dot_dot },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
