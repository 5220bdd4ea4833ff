/* The command-line token editor and the GRUB defaults evaluator. */
#include "cmdline.h"
#include "facts.h"
#include "harness.h"

static char *edit(const char *line, const char *tok)
{
	struct strv t = { 0 };
	cmdline_split(line, &t);
	cmdline_set(&t, tok);
	char *s = cmdline_join(&t);
	strv_release(&t);
	return s;
}

static void appends_a_missing_token_keeping_order(void)
{
	char *s = edit("root=ZFS=rpool/ROOT/pve-1 boot=zfs", "intel_iommu=on");
	CHECK_STR(s, "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on");
	free(s);
}

static void replaces_the_value_of_the_same_key_in_place(void)
{
	char *s = edit("quiet intel_iommu=off splash", "intel_iommu=on");
	CHECK_STR(s, "quiet intel_iommu=on splash");
	free(s);
}

static void leaves_a_present_token_alone(void)
{
	struct strv t = { 0 };
	cmdline_split("root=/dev/sda1 iommu=pt", &t);
	CHECK(!cmdline_set(&t, "iommu=pt"));
	CHECK(t.n == 2);
	strv_release(&t);
}

static void keeps_quoted_spaces_in_one_token(void)
{
	struct strv t = { 0 };
	cmdline_split("  a=\"x y\"   b  ", &t);
	CHECK(t.n == 2);
	CHECK_STR(t.v[0], "a=\"x y\"");
	CHECK_STR(t.v[1], "b");
	strv_release(&t);
}

static void grub_defaults_evaluate_as_update_grub_sources_them(void)
{
	struct grub_vars v;
	grub_vars_init(&v);
	grub_eval(&v,
	          "# If you change this file, run 'update-grub' afterwards\n"
	          "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
	          "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
	          "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n",
	          "/etc/default/grub");
	grub_eval(&v, "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX root=ZFS=rpool/ROOT/pve-1 boot=zfs\"\n",
	          "/etc/default/grub.d/zfs.cfg");
	grub_eval(&v, "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on\"\n",
	          "/etc/default/grub.d/orch.cfg");
	CHECK(!v.unevaluable);
	CHECK_STR(v.linux_args, " root=ZFS=rpool/ROOT/pve-1 boot=zfs");
	CHECK_STR(v.linux_default, "quiet intel_iommu=on");
	grub_vars_release(&v);
}

static void grub_single_quotes_and_export_and_later_assignment_win(void)
{
	struct grub_vars v;
	grub_vars_init(&v);
	grub_eval(&v, "export GRUB_CMDLINE_LINUX_DEFAULT='quiet $NOT_EXPANDED'\n"
	              "X=amd_iommu=on; GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT $X\" # trailing\n",
	          "f");
	CHECK_STR(v.linux_default, "quiet $NOT_EXPANDED amd_iommu=on");
	grub_vars_release(&v);
}

static void grub_command_substitution_in_our_variables_is_unevaluable(void)
{
	struct grub_vars v;
	grub_vars_init(&v);
	grub_eval(&v, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet $(cat /etc/extra)\"\n", "/etc/default/grub");
	CHECK(v.unevaluable);
	CHECK(v.unevaluable_why && strstr(v.unevaluable_why, "/etc/default/grub"));
	grub_vars_release(&v);
}

static void grub_multiline_double_quotes_span_lines(void)
{
	struct grub_vars v;
	grub_vars_init(&v);
	grub_eval(&v, "GRUB_CMDLINE_LINUX=\"a \\\n b\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"x\ny\"\n", "f");
	CHECK_STR(v.linux_args, "a  b");
	CHECK_STR(v.linux_default, "x\ny");
	grub_vars_release(&v);
}

static void live_grub_line_matches_its_configuration(void)
{
	/* GRUB adds BOOT_IMAGE=, root= and ro; the configuration has neither */
	CHECK(cmdline_matches("console=ttyS0 quiet intel_iommu=on",
	                      "BOOT_IMAGE=/boot/vmlinuz-6.1.0-26-amd64 root=UUID=26a7 ro console=ttyS0 quiet intel_iommu=on"));
	CHECK(!cmdline_matches("console=ttyS0 quiet intel_iommu=on",
	                       "BOOT_IMAGE=/boot/vmlinuz-6.1.0-26-amd64 root=UUID=26a7 ro console=ttyS0 quiet"));
}

static void live_systemd_boot_line_must_carry_its_root(void)
{
	CHECK(cmdline_matches("root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on",
	                      "initrd=\\EFI\\proxmox\\initrd.img root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on"));
	CHECK(!cmdline_matches("root=ZFS=rpool/ROOT/pve-1 boot=zfs",
	                       "initrd=x root=ZFS=rpool/ROOT/pve-2 boot=zfs"));
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "appends_a_missing_token_keeping_order", appends_a_missing_token_keeping_order },
		{ "replaces_the_value_of_the_same_key_in_place", replaces_the_value_of_the_same_key_in_place },
		{ "leaves_a_present_token_alone", leaves_a_present_token_alone },
		{ "keeps_quoted_spaces_in_one_token", keeps_quoted_spaces_in_one_token },
		{ "grub_defaults_evaluate_as_update_grub_sources_them", grub_defaults_evaluate_as_update_grub_sources_them },
		{ "grub_single_quotes_and_export_and_later_assignment_win",
		  grub_single_quotes_and_export_and_later_assignment_win },
		{ "grub_command_substitution_in_our_variables_is_unevaluable",
		  grub_command_substitution_in_our_variables_is_unevaluable },
		{ "grub_multiline_double_quotes_span_lines", grub_multiline_double_quotes_span_lines },
		{ "live_grub_line_matches_its_configuration", live_grub_line_matches_its_configuration },
		{ "live_systemd_boot_line_must_carry_its_root", live_systemd_boot_line_must_carry_its_root },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
