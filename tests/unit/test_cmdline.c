/* The command-line token editor and the GRUB defaults evaluator. */
#include "cmdline.h"
#include "facts.h"
#include "harness.h"

static char *add(const char *line, const char *key, const char *opt)
{
	struct strv t = { 0 };
	cmdline_split(line, &t);
	cmdline_add_opt(&t, key, opt);
	char *s = cmdline_join(&t);
	strv_release(&t);
	return s;
}

static char *without(const char *line, const char *key, const char *opt)
{
	struct strv t = { 0 };
	cmdline_split(line, &t);
	cmdline_remove_opt(&t, key, opt);
	char *s = cmdline_join(&t);
	strv_release(&t);
	return s;
}

static void appends_a_missing_token_keeping_order(void)
{
	char *s = add("root=ZFS=rpool/ROOT/pve-1 boot=zfs", "intel_iommu", "on");
	CHECK_STR(s, "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on");
	free(s);
}

static void intel_iommu_on_merges_into_the_admins_options(void)
{
	char *s = add("quiet intel_iommu=igfx_off,sm_on splash", "intel_iommu", "on");
	CHECK_STR(s, "quiet intel_iommu=igfx_off,sm_on,on splash");
	free(s);
}

static void intel_iommu_on_with_igfx_off_is_already_given(void)
{
	struct strv t = { 0 };
	cmdline_split("root=/dev/sda1 intel_iommu=on,igfx_off", &t);
	CHECK(cmdline_gives(&t, "intel_iommu", "on"));
	CHECK(!cmdline_add_opt(&t, "intel_iommu", "on"));
	CHECK(t.n == 2);
	strv_release(&t);
}

static void off_replaced_by_on_keeping_the_other_options(void)
{
	char *s = add("quiet intel_iommu=off,igfx_off", "intel_iommu", "on");
	CHECK_STR(s, "quiet intel_iommu=igfx_off,on");
	free(s);
}

static void the_last_of_on_and_off_wins_across_tokens(void)
{
	struct strv t = { 0 };
	cmdline_split("intel_iommu=on quiet intel_iommu=igfx_off,off", &t);
	CHECK(!cmdline_gives(&t, "intel_iommu", "on"));
	CHECK(cmdline_lists(&t, "intel_iommu", "on"));
	strv_release(&t);
	cmdline_split("intel_iommu=off intel_iommu=on", &t);
	CHECK(cmdline_gives(&t, "intel_iommu", "on"));
	strv_release(&t);
}

static void initcall_blacklist_keeps_the_admins_entries(void)
{
	char *s = add("root=x initcall_blacklist=acpi_cpufreq_init", "initcall_blacklist", "sysfb_init");
	CHECK_STR(s, "root=x initcall_blacklist=acpi_cpufreq_init,sysfb_init");
	free(s);
	s = without("root=x initcall_blacklist=acpi_cpufreq_init,sysfb_init", "initcall_blacklist", "sysfb_init");
	CHECK_STR(s, "root=x initcall_blacklist=acpi_cpufreq_init");
	free(s);
}

static void removing_the_only_option_drops_the_token(void)
{
	char *s = without("root=x iommu=off quiet", "iommu", "off");
	CHECK_STR(s, "root=x quiet");
	free(s);
	s = without("root=x iommu=pt,off", "iommu", "off");
	CHECK_STR(s, "root=x iommu=pt");
	free(s);
	/* a different key with the same prefix is not touched */
	s = without("amd_iommu=off intel_iommu=off", "iommu", "off");
	CHECK_STR(s, "amd_iommu=off intel_iommu=off");
	free(s);
}

static void token_without_reports_untouched_and_emptied(void)
{
	char *t = cmdline_token_without("intel_iommu=on", "intel_iommu", "off");
	CHECK(t == NULL);
	t = cmdline_token_without("intel_iommu=off", "intel_iommu", "off");
	CHECK_STR(t, "");
	free(t);
	t = cmdline_token_without("intel_iommu=sm_on,off,igfx_off", "intel_iommu", "off");
	CHECK_STR(t, "intel_iommu=sm_on,igfx_off");
	free(t);
}

static void leaves_a_present_token_alone(void)
{
	struct strv t = { 0 };
	cmdline_split("root=/dev/sda1 iommu=pt", &t);
	CHECK(!cmdline_add_opt(&t, "iommu", "pt"));
	CHECK(t.n == 2);
	strv_release(&t);
}

static void grub_default_names_kernels_as_debian_menus_do(void)
{
	struct strv k = { 0 };
	char *why = NULL;
	strv_push(&k, "6.8.12-4-pve");
	strv_push(&k, "6.5.13-5-pve");
	CHECK(grub_default_kernel(NULL, &k, true, &why) == 0);
	CHECK(grub_default_kernel("0", &k, true, &why) == 0);
	CHECK(grub_default_kernel("gnulinux-simple-2a9c", &k, true, &why) == 0);
	CHECK(grub_default_kernel("gnulinux-advanced-2a9c>gnulinux-6.5.13-5-pve-advanced-2a9c", &k, true, &why) == 1);
	CHECK(grub_default_kernel("Advanced options for Proxmox VE GNU/Linux>Proxmox VE GNU/Linux, with Linux "
	                          "6.5.13-5-pve", &k, true, &why) == 1);
	/* the submenu: 6.8, 6.8 recovery, 6.5, ... */
	CHECK(grub_default_kernel("1>2", &k, true, &why) == 1);
	CHECK(grub_default_kernel("1>1", &k, false, &why) == 1);
	CHECK(grub_default_kernel("1>1", &k, true, &why) == 0);
	CHECK(why == NULL);
	CHECK(grub_default_kernel("2", &k, true, &why) == -1);
	CHECK(why && strstr(why, "not a kernel"));
	free(why);
	CHECK(grub_default_kernel("gnulinux-advanced-2a9c>gnulinux-6.2.16-3-pve-advanced-2a9c", &k, true, &why) == -1);
	CHECK(why && strstr(why, "not installed"));
	free(why);
	CHECK(grub_default_kernel("1>9", &k, true, &why) == -1);
	free(why);
	strv_release(&k);
}

static void grub_default_and_its_line_are_tracked(void)
{
	struct grub_vars v;
	grub_vars_init(&v);
	grub_eval(&v, "# c\nGRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n", "/etc/default/grub");
	grub_eval(&v, "GRUB_DEFAULT=\"gnulinux-advanced-x>gnulinux-6.5.13-5-pve-advanced-x\"\n",
	          "/etc/default/grub.d/proxmox-kernel-pin.cfg");
	CHECK_STR(v.default_entry, "gnulinux-advanced-x>gnulinux-6.5.13-5-pve-advanced-x");
	CHECK_STR(v.default_where, "/etc/default/grub.d/proxmox-kernel-pin.cfg:1");
	grub_vars_release(&v);
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
		{ "intel_iommu_on_merges_into_the_admins_options", intel_iommu_on_merges_into_the_admins_options },
		{ "intel_iommu_on_with_igfx_off_is_already_given", intel_iommu_on_with_igfx_off_is_already_given },
		{ "off_replaced_by_on_keeping_the_other_options", off_replaced_by_on_keeping_the_other_options },
		{ "the_last_of_on_and_off_wins_across_tokens", the_last_of_on_and_off_wins_across_tokens },
		{ "initcall_blacklist_keeps_the_admins_entries", initcall_blacklist_keeps_the_admins_entries },
		{ "removing_the_only_option_drops_the_token", removing_the_only_option_drops_the_token },
		{ "token_without_reports_untouched_and_emptied", token_without_reports_untouched_and_emptied },
		{ "grub_default_names_kernels_as_debian_menus_do", grub_default_names_kernels_as_debian_menus_do },
		{ "grub_default_and_its_line_are_tracked", grub_default_and_its_line_are_tracked },
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
