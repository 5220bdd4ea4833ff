/*
 * The guest variables (controller/plan.c): pci_guests, pci_guest_pcie and
 * pci_guest_x_vga become the guests step's arguments with pci_mapping;
 * values orch cannot use are refused naming file, host, variable and value.
 */
#include "compile.h"

/* The guests args of node02 in INI text with `vars` on its line. */
/* Compiles node02 (passthrough=01:00, then vars) for apply: when ok, it
 * compiles and its guests step arguments are want (NULL: no step); else it
 * is refused with the message want. */
static void
compiled(const char *vars, int ok, const char *want)
{
	char text[512], err[512];
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	int rc;

	snprintf(text, sizeof(text), "[nodes]\nnode02 ansible_host=127.0.0.1 passthrough=01:00 %s\n", vars);
	inv = ini(text);
	rc = compile(&hp, inv, "node02", &o, err, sizeof(err));
	if (ok) {
		CHECK(rc == 0);
		CHECK_STR(err, "");
		if (want == NULL)
			CHECK(hp.guests == NULL);
		else
			CHECK_JSON(hp.guests, want);
		plan_release(&hp);
	} else {
		CHECK(rc == -1);
		CHECK(hp.plan == NULL && hp.guests == NULL);
		CHECK_STR(err, want);
	}
	inventory_free(inv);
}

static void
guests_of(const char *vars, const char *want)
{
	compiled(vars, 1, want);
}

static void
refused(const char *vars, const char *want)
{
	compiled(vars, 0, want);
}

static void
guest_variables_become_the_guests_args(void)
{
	guests_of("pci_mapping=gpu", NULL);
	guests_of("pci_mapping=gpu pci_guests=101",
		  "{\"mapping\": \"gpu\", \"vmids\": [101], \"pcie\": \"auto\", \"x_vga\": false}");
	guests_of("pci_mapping=gpu pci_guests=\"101, 100,101\" pci_guest_pcie=no pci_guest_x_vga=yes",
		  "{\"mapping\": \"gpu\", \"vmids\": [101, 100], \"pcie\": \"no\", \"x_vga\": true}");
	guests_of("pci_mapping=gpu pci_guests=999999999 pci_guest_pcie=true",
		  "{\"mapping\": \"gpu\", \"vmids\": [999999999], \"pcie\": \"yes\", \"x_vga\": false}");
}

static void
pci_guests_as_a_yaml_list(void)
{
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	tree_make();
	tree_file("inventory.ini", "[nodes]\nnode02 ansible_host=127.0.0.1 passthrough=01:00\n");
	tree_file("host_vars/node02.yml", "pci_mapping: gpu\npci_guests:\n  - 100\n  - \"101\"\npci_guest_x_vga: true\n");
	inv = tree_inventory("inventory.ini");
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_JSON(hp.guests, "{\"mapping\": \"gpu\", \"vmids\": [100, 101], \"pcie\": \"auto\", \"x_vga\": true}");
	plan_release(&hp);
	inventory_free(inv);
	tree_remove();
}

static void
bad_guest_variables_are_refused(void)
{
	refused("pci_mapping=gpu pci_guests=99", "hosts.ini: host 'node02': variable 'pci_guests': '99' is not a list of "
		"VM IDs (100 to 999999999): '99' is not one");
	refused("pci_mapping=gpu pci_guests=100,0100", "hosts.ini: host 'node02': variable 'pci_guests': '100,0100' is not "
		"a list of VM IDs (100 to 999999999): '0100' is not one");
	refused("pci_mapping=gpu pci_guests=1000000000", "hosts.ini: host 'node02': variable 'pci_guests': '1000000000' "
		"is not a list of VM IDs (100 to 999999999): '1000000000' is not one");
	refused("pci_mapping=gpu pci_guests=,", "hosts.ini: host 'node02': variable 'pci_guests': ',' is not a list of "
		"VM IDs (100 to 999999999)");
	refused("pci_guests=100", "hosts.ini: host 'node02': variable 'pci_guests': '100' needs pci_mapping, the mapping "
		"to attach to these VMs");
	refused("pci_mapping=g pci_guests=100", "hosts.ini: host 'node02': variable 'pci_mapping': 'g' is not a Proxmox "
		"mapping ID (a letter, then letters, digits, '_' or '-'; at least two characters)");
	refused("pci_mapping=gpu pci_guests=100 pci_guest_pcie=q35", "hosts.ini: host 'node02': variable "
		"'pci_guest_pcie': 'q35' is not auto, yes or no");
	refused("pci_mapping=gpu pci_guests=100 pci_guest_x_vga=2", "hosts.ini: host 'node02': variable "
		"'pci_guest_x_vga': '2' is not a boolean");
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "guest_variables_become_the_guests_args", guest_variables_become_the_guests_args },
		{ "pci_guests_as_a_yaml_list", pci_guests_as_a_yaml_list },
		{ "bad_guest_variables_are_refused", bad_guest_variables_are_refused },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
