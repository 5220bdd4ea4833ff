/*
 * The checks of orch's inventory variables (controller/plan.c): a value
 * orch cannot use is refused with a message naming the file, host,
 * variable and value; a !vault value or a Jinja template is refused, not
 * evaluated; a variable one edit away from one of orch's is warned about.
 * What tests/controller/bad_variable_names_host_variable_value.sh,
 * number_where_a_selector_belongs_refused.sh,
 * jinja_template_in_an_orch_variable_refused.sh,
 * vault_value_in_an_orch_variable_refused.sh and misspelled_variable_warned.sh
 * see through sshd, without a node.
 */
#include "compile.h"

/* Host node02 of an inventory that sets var=value on it is refused with
 * a message that starts with want. */
static void
refused(const char *var, const char *value, const char *want)
{
	char text[512], err[512];
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;

	snprintf(text, sizeof(text), "[nodes]\nnode01\nnode02 ansible_host=127.0.0.1 passthrough=82:00 %s=%s\n",
		 var, value);
	inv = ini(text);
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == -1);
	CHECK(hp.plan == NULL);
	if (strncmp(err, want, strlen(want)) != 0) {
		fprintf(stderr, "%s=%s: got  [%s]\n%*s want [%s...]\n", var, value, err, (int)strlen(var) + (int)strlen(value) + 1, "",
			want);
		harness_failures++;
	}
	/* the others of the inventory are fine */
	CHECK(compile(&hp, inv, "node01", &o, err, sizeof(err)) == 0);
	plan_release(&hp);
	inventory_free(inv);
}

static void
bad_values_name_file_host_variable_and_value(void)
{
	refused("passthrough", "0000:82:00.9", "hosts.ini: host 'node02': variable 'passthrough': '0000:82:00.9' "
		"is not a PCI address (0000:82:00.0), slot (82:00) or vendor:device ID (10de:1b81)");
	refused("passthrough", "10de:1b8", "hosts.ini: host 'node02': variable 'passthrough': '10de:1b8' is not a PCI");
	refused("passthrough", "82:00,83:20", "hosts.ini: host 'node02': variable 'passthrough': '82:00,83:20' "
		"has '83:20', which is not a PCI address");
	refused("iommu_pt", "maybe", "hosts.ini: host 'node02': variable 'iommu_pt': 'maybe' is not a boolean");
	refused("ignore_msrs", "2", "hosts.ini: host 'node02': variable 'ignore_msrs': '2' is not a boolean");
	refused("ansible_become", "sudo", "hosts.ini: host 'node02': variable 'ansible_become': 'sudo' is not a boolean");
	refused("unsafe_interrupts", "sometimes",
		"hosts.ini: host 'node02': variable 'unsafe_interrupts': 'sometimes' is not auto, yes or no");
	refused("disable_vga", "always", "hosts.ini: host 'node02': variable 'disable_vga': 'always' is not auto, yes or no");
	refused("bind_by", "slot", "hosts.ini: host 'node02': variable 'bind_by': 'slot' is not auto, id or address");
	refused("host_drivers", "nouveau,-x", "hosts.ini: host 'node02': variable 'host_drivers': 'nouveau,-x' "
		"is not auto, none or a list of driver names ('-x' is not one)");
	refused("reboot", "always", "hosts.ini: host 'node02': variable 'reboot': 'always' is not auto or never");
	refused("pci_mapping", "1gpu", "hosts.ini: host 'node02': variable 'pci_mapping': '1gpu' is not a Proxmox "
		"mapping ID (a letter, then letters, digits, '_' or '-'; at least two characters)");
	refused("pci_mapping", "g", "hosts.ini: host 'node02': variable 'pci_mapping': 'g' is not a Proxmox mapping ID");
	refused("pci_mapping", "gpu.a", "hosts.ini: host 'node02': variable 'pci_mapping': 'gpu.a' is not a Proxmox");
	refused("pci_mapping", "gpu,x", "hosts.ini: host 'node02': variable 'pci_mapping': 'gpu,x' is not a Proxmox");
	refused("orch_root", "relative/path", "hosts.ini: host 'node02': variable 'orch_root': 'relative/path' "
		"is not an absolute path of letters, digits and /._+,@:- without '..'");
	refused("orch_root", "/srv/../etc", "hosts.ini: host 'node02': variable 'orch_root': '/srv/../etc' is not");
	refused("ansible_port", "70000", "hosts.ini: host 'node02': variable 'ansible_port': '70000' is not a port number");
	refused("ansible_port", "0", "hosts.ini: host 'node02': variable 'ansible_port': '0' is not a port number");
	refused("ansible_user", "-oProxyCommand=x",
		"hosts.ini: host 'node02': variable 'ansible_user': '-oProxyCommand=x' is not a user name");
	refused("ansible_host", "-oProxyCommand=x",
		"hosts.ini: host 'node02': variable 'ansible_host': '-oProxyCommand=x' is not a host name or address");
	/* Ansible's other names for them are checked alike, by their names */
	refused("ansible_ssh_host", "-oProxyCommand=x",
		"hosts.ini: host 'node02': variable 'ansible_ssh_host': '-oProxyCommand=x' is not a host name or address");
	refused("ansible_ssh_port", "70000", "hosts.ini: host 'node02': variable 'ansible_ssh_port': '70000' is not a port number");
	refused("ansible_ssh_user", "-l", "hosts.ini: host 'node02': variable 'ansible_ssh_user': '-l' is not a user name");
}

/* ansible_ssh_host, _ssh_port, _ssh_user and ansible_private_key_file are
 * read, and where a host has both names of one setting, the one Ansible
 * takes wins (constants.py MAGIC_VARIABLE_MAPPING: ansible_ssh_host before
 * ansible_host, ansible_ssh_private_key_file before ansible_private_key_file),
 * wherever each is set: the group's ansible_ssh_port over the host's
 * ansible_port. */
static void
connection_aliases_are_read_in_ansibles_order(void)
{
	struct inventory *inv = ini("[nodes]\n"
				    "a ansible_ssh_host=10.0.0.1 ansible_ssh_port=2222 ansible_ssh_user=admin"
				    " ansible_private_key_file=/k passthrough=82:00\n"
				    "b ansible_host=10.0.0.2 ansible_ssh_host=10.0.0.3 ansible_user=x ansible_ssh_user=y"
				    " ansible_ssh_private_key_file=/k1 ansible_private_key_file=/k2 passthrough=82:00\n"
				    "[late]\nc ansible_port=22 passthrough=82:00\n[late:vars]\nansible_ssh_port=2201\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "a", &o, err, sizeof(err)) == 0);
	CHECK(strcmp(hp.target.address, "10.0.0.1") == 0 && hp.target.port == 2222);
	CHECK(strcmp(hp.target.user, "admin") == 0 && strcmp(hp.target.identity, "/k") == 0);
	plan_release(&hp);
	CHECK(compile(&hp, inv, "b", &o, err, sizeof(err)) == 0);
	CHECK(strcmp(hp.target.address, "10.0.0.3") == 0 && hp.target.port == 0);
	CHECK(strcmp(hp.target.user, "y") == 0 && strcmp(hp.target.identity, "/k1") == 0);
	plan_release(&hp);
	CHECK(compile(&hp, inv, "c", &o, err, sizeof(err)) == 0);
	CHECK(strcmp(hp.target.address, "c") == 0 && hp.target.port == 2201);
	plan_release(&hp);
	inventory_free(inv);
}

/* What warn wrote of inv, checked: it counted n warnings, and each of
 * want[0..n) is a line of it. The caller frees the text. */
static char *
warnings_of(size_t (*warn)(const struct inventory *, FILE *), const struct inventory *inv,
	    const char *const *want, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CHECK(warn(inv, out) == n);
	fclose(out);
	for (size_t k = 0; k < n; k++) {
		char line[256];

		snprintf(line, sizeof(line), "%s\n", want[k]);
		if (strstr(text, line) == NULL) {
			fprintf(stderr, "no warning [%s] in:\n%s", want[k], text);
			harness_failures++;
		}
	}
	return text;
}

/* Ansible's connection variables orch does not use are warned about where
 * a host's value comes from, once per file and variable; values with which
 * Ansible connects as orch does are not; a password is never shown. */
static void
unused_connection_variables_are_warned_without_secrets(void)
{
	struct inventory *inv = ini("[nodes]\n"
				    "a ansible_connection=local ansible_password=hunter2 passthrough=82:00\n"
				    "b ansible_connection=ssh ansible_become_user=root ansible_become_method=sudo\n"
				    "c ansible_become_method=su ansible_ssh_common_args='-J jump'\n"
				    "[nodes:vars]\nansible_become_user=admin\nansible_become_pass=s3cret\n");
	static const char *const want[] = {
		"orch: warning: hosts.ini: variable 'ansible_connection' ('local') is not used: orch connects to every "
		"host over SSH",
		"orch: warning: hosts.ini: variable 'ansible_password' is not used: orch logs in with keys only",
		"orch: warning: hosts.ini: variable 'ansible_become_user' ('admin') is not used: the agent runs as root",
		"orch: warning: hosts.ini: variable 'ansible_become_pass' is not used: orch's sudo is sudo -n, without a "
		"password",
		"orch: warning: hosts.ini: variable 'ansible_ssh_common_args' is not used: orch runs no ssh command; a "
		"Host block of ~/.ssh/config for the host applies",
		"orch: warning: hosts.ini: variable 'ansible_become_method' ('su') is not used: orch becomes root with "
		"sudo -n",
	};
	char *text = warnings_of(plan_warn_unused, inv, want, sizeof(want) / sizeof(want[0]));

	CHECK(strstr(text, "hunter2") == NULL && strstr(text, "s3cret") == NULL && strstr(text, "jump") == NULL);
	free(text);
	inventory_free(inv);
}

static void
pci_mapping_is_a_proxmox_id_of_a_host_with_passthrough(void)
{
	struct inventory *inv = ini("n1 passthrough=82:00 pci_mapping=GPU_a-1\nn2 pci_mapping=gpu\nn3 passthrough=82:00\n");
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512];

	CHECK(compile(&hp, inv, "n1", &o, err, sizeof(err)) == 0);
	CHECK_STR(hp.target.pci_mapping, "GPU_a-1");
	plan_release(&hp);
	CHECK(compile(&hp, inv, "n3", &o, err, sizeof(err)) == 0);
	CHECK(hp.target.pci_mapping == NULL);
	plan_release(&hp);
	CHECK(compile(&hp, inv, "n2", &o, err, sizeof(err)) == -1);
	CHECK_STR(err, "hosts.ini: host 'n2': variable 'pci_mapping': 'gpu' names a mapping for a host without "
		  "passthrough: no device of it would be in the mapping");
	inventory_free(inv);
}

static void
too_many_selectors_are_refused(void)
{
	static const char start[] = "hosts.ini: host 'node02': variable 'passthrough': '00:00,01:00,";
	char value[64 * 9 + 16] = "", text[1024], err[512];
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;

	for (int k = 0; k <= 64; k++)
		snprintf(value + strlen(value), sizeof(value) - strlen(value), "%s%02x:00", k ? "," : "", k);
	snprintf(text, sizeof(text), "node02 passthrough=%s\n", value);
	inv = ini(text);
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == -1);
	CHECK(strncmp(err, start, strlen(start)) == 0);
	CHECK(strstr(err, "' has more than 64 selectors") != NULL);
	inventory_free(inv);
}

static void
control_characters_in_a_value_are_shown_escaped(void)
{
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512], want[512];

	tree_make();
	tree_file("hosts.ini", "node02\n");
	tree_file("host_vars/node02.json", "{\"bind_by\": \"a\\u001b[2J\\nb\\tc\"}\n");
	inv = tree_inventory("hosts.ini");
	CHECK(compile(&hp, inv, "node02", &o, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s/host_vars/node02.json: host 'node02': variable 'bind_by': "
		 "'a\\x1b[2J\\nb\\tc' is not auto, id or address", tree_root);
	CHECK_STR(err, want);
	inventory_free(inv);
	tree_remove();
}

static void
numbers_where_a_selector_belongs_are_refused_with_the_hint(void)
{
	static const char hint[] = "has a number where a selector belongs: YAML 1.1 reads an unquoted 82:00 as 4920 "
		"(base 60); quote the selector (passthrough: \"82:00\")";
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512], want[512];

	tree_make();
	tree_file("n/hosts.ini", "[nodes]\nn1 ansible_host=127.0.0.1 passthrough=4920\nn2 ansible_host=127.0.0.1\n"
		  "n3 ansible_host=127.0.0.1\n");
	tree_file("n/host_vars/n2.yml", "passthrough: 82:00\n");
	tree_file("n/host_vars/n3.yml", "passthrough:\n  - \"0000:03:00.0\"\n  - 82:00\n");
	inv = tree_inventory("n/hosts.ini");

	CHECK(compile(&hp, inv, "n1", &o, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s/n/hosts.ini: host 'n1': variable 'passthrough': '4920' %s", tree_root, hint);
	CHECK_STR(err, want);
	CHECK(compile(&hp, inv, "n2", &o, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s/n/host_vars/n2.yml: host 'n2': variable 'passthrough': '4920' %s", tree_root, hint);
	CHECK_STR(err, want);
	CHECK(compile(&hp, inv, "n3", &o, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s/n/host_vars/n3.yml: host 'n3': variable 'passthrough': '", tree_root);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(strstr(err, hint) != NULL);
	inventory_free(inv);
	tree_remove();
}

static void
jinja_templates_in_orchs_variables_are_refused(void)
{
	struct inventory *inv = ini("[nodes]\n"
		"t1 ansible_host=127.0.0.1 passthrough=\"{{ gpu }}\"\n"
		"t2 ansible_host=127.0.0.1 bind_by='{% if twin %}address{% endif %}'\n"
		"t3 ansible_host=127.0.0.1 reboot='{#later#}never'\n"
		"t5 ansible_host=127.0.0.1 ansible_port=1 motd=\"{{ banner }}\" passthrough=82:00\n"
		"\n[login]\nt4 ansible_host=127.0.0.1\n\n[login:vars]\nansible_user=\"{{ admin }}\"\n");
	static const struct { const char *host, *var, *value; } templates[] = {
		{"t1", "passthrough", "{{ gpu }}"},
		{"t2", "bind_by", "{% if twin %}address{% endif %}"},
		{"t3", "reboot", "{#later#}never"},
		{"t4", "ansible_user", "{{ admin }}"},
	};
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512], want[512];

	for (size_t k = 0; k < sizeof(templates) / sizeof(templates[0]); k++) {
		CHECK(compile(&hp, inv, templates[k].host, &o, err, sizeof(err)) == -1);
		snprintf(want, sizeof(want), "hosts.ini: host '%s': variable '%s': '%s' is a Jinja template, which orch "
			 "does not evaluate: write the value itself", templates[k].host, templates[k].var, templates[k].value);
		CHECK_STR(err, want);
	}
	/* motd is not orch's: its template is left alone */
	CHECK(compile(&hp, inv, "t5", &o, err, sizeof(err)) == 0);
	plan_release(&hp);
	inventory_free(inv);
}

static void
vault_values_in_orchs_variables_are_refused(void)
{
	struct inventory *inv;
	struct options o = command(CMD_APPLY);
	struct host_plan hp;
	char err[512], want[512];

	tree_make();
	tree_file("v/hosts.ini", "[nodes]\nv1 ansible_host=127.0.0.1\n\n[gpu]\nv2 ansible_host=127.0.0.1\n"
		  "\n[other]\nv3 ansible_host=127.0.0.1\n");
	tree_file("v/group_vars/nodes.yml", "ansible_user: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231\n"
		  "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3435\n");
	tree_file("v/group_vars/other.yml", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3435\n");
	tree_file("v/host_vars/v2.json", "{\"passthrough\": {\"__ansible_vault\": \"$ANSIBLE_VAULT;1.1;AES256\\n6638\\n\"}}\n");
	inv = tree_inventory("v/hosts.ini");

	CHECK(compile(&hp, inv, "v1", &o, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s/v/group_vars/nodes.yml: host 'v1': variable 'ansible_user' is encrypted with "
		 "ansible-vault (!vault), which orch does not decrypt: write it in plain text", tree_root);
	CHECK_STR(err, want);
	CHECK(compile(&hp, inv, "v2", &o, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s/v/host_vars/v2.json: host 'v2': variable 'passthrough' is encrypted with "
		 "ansible-vault (!vault), which orch does not decrypt: write it in plain text", tree_root);
	CHECK_STR(err, want);
	/* db_password is not orch's: its vault value is left alone */
	CHECK(compile(&hp, inv, "v3", &o, err, sizeof(err)) == 0);
	plan_release(&hp);
	inventory_free(inv);
	tree_remove();
}

static void
misspelled_variables_are_warned_once_per_file_and_key(void)
{
	struct inventory *inv = ini("[nodes]\n"
		"w1 ansible_host=127.0.0.1 passtrough=82:00 iommu-pt=yes motd=hello\n"
		"w2 ansible_host=127.0.0.1 passtrough=83:00 ansible_become_user=admin ansible_prot=2222\n"
		"\n[nodes:vars]\nreboots=never\nbnid_by=id\nansible-ssh-private-key-file=/root/.ssh/id\n"
		"ansible_become_method=sudo\n");
	static const char *const want[] = {
		"orch: warning: hosts.ini: variable 'passtrough' is not one orch reads; did you mean 'passthrough'?",
		"orch: warning: hosts.ini: variable 'iommu-pt' is not one orch reads; did you mean 'iommu_pt'?",
		"orch: warning: hosts.ini: variable 'ansible_prot' is not one orch reads; did you mean 'ansible_port'?",
		"orch: warning: hosts.ini: variable 'reboots' is not one orch reads; did you mean 'reboot'?",
		"orch: warning: hosts.ini: variable 'bnid_by' is not one orch reads; did you mean 'bind_by'?",
		("orch: warning: hosts.ini: variable 'ansible-ssh-private-key-file' is not one orch reads; "
		 "did you mean 'ansible_ssh_private_key_file'?"),
	};
	char *text = warnings_of(plan_warn_misspelled, inv, want, sizeof(want) / sizeof(want[0]));
	size_t lines = 0;

	for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	CHECK(lines == 6);
	free(text);
	inventory_free(inv);
}

static void
one_edit_means_one_insertion_deletion_substitution_or_swap(void)
{
	struct inventory *inv = ini("h passthrough=82:00 bind_byy=id ind_by=id bimd_by=id bnid_by=id bind_by2x=id"
				    " disable_gpu=no ansible_ssh_user=root reboot=never\n");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CHECK(plan_warn_misspelled(inv, out) == 4);
	fclose(out);
	CHECK(strstr(text, "'bind_byy'") && strstr(text, "'ind_by'") && strstr(text, "'bimd_by'") && strstr(text, "'bnid_by'"));
	CHECK(strstr(text, "bind_by2x") == NULL && strstr(text, "disable_gpu") == NULL);
	CHECK(strstr(text, "ansible_ssh_user") == NULL && strstr(text, "'reboot'") == NULL);
	free(text);
	inventory_free(inv);
}

int
main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "bad_values_name_file_host_variable_and_value", bad_values_name_file_host_variable_and_value },
		{ "too_many_selectors_are_refused", too_many_selectors_are_refused },
		{ "pci_mapping_is_a_proxmox_id_of_a_host_with_passthrough",
		  pci_mapping_is_a_proxmox_id_of_a_host_with_passthrough },
		{ "control_characters_in_a_value_are_shown_escaped", control_characters_in_a_value_are_shown_escaped },
		{ "numbers_where_a_selector_belongs_are_refused_with_the_hint",
		  numbers_where_a_selector_belongs_are_refused_with_the_hint },
		{ "jinja_templates_in_orchs_variables_are_refused", jinja_templates_in_orchs_variables_are_refused },
		{ "vault_values_in_orchs_variables_are_refused", vault_values_in_orchs_variables_are_refused },
		{ "misspelled_variables_are_warned_once_per_file_and_key",
		  misspelled_variables_are_warned_once_per_file_and_key },
		{ "one_edit_means_one_insertion_deletion_substitution_or_swap",
		  one_edit_means_one_insertion_deletion_substitution_or_swap },
		{ "connection_aliases_are_read_in_ansibles_order", connection_aliases_are_read_in_ansibles_order },
		{ "unused_connection_variables_are_warned_without_secrets",
		  unused_connection_variables_are_warned_without_secrets },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
