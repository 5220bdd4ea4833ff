/* modprobe's effective configuration as kmod computes it (modprobe.c). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "modprobe.h"

static char root[64];

/* put PATH TEXT: a file under a fresh root. */
static void put(const char *path, const char *text)
{
	char *full = xasprintf("%s%s", root, path), *dir = xstrdup(full);
	*strrchr(dir, '/') = '\0';
	mkdir_p(dir, 0755);
	FILE *f = fopen(full, "w");
	fputs(text, f);
	fclose(f);
	free(dir);
	free(full);
}

static void fresh_root(void)
{
	snprintf(root, sizeof(root), "/tmp/orch-unit-modprobe.XXXXXX");
	if (!mkdtemp(root))
		abort();
}

static void drop_root(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(cmd);
}

static char *where_of(const struct modprobe_config *c, const char *module, const char *param)
{
	const struct mp_entry *e = NULL;
	free(modprobe_param(c, module, param, &e));
	return e ? modprobe_where(c, e) : xstrdup("(none)");
}

static void files_merge_sorted_by_name_and_the_last_value_wins(void)
{
	struct modprobe_config c;
	fresh_root();
	put("/etc/modprobe.d/orch-vfio-pci.conf", "options vfio-pci ids=1002:73bf\n");
	put("/etc/modprobe.d/vfio.conf", "# the how-to\noptions vfio-pci ids=10de:1b81,10de:10f0 disable_vga=1\n");
	put("/lib/modprobe.d/aaa.conf", "options vfio-pci ids=8086:1533\n");
	modprobe_load(&c, root, NULL, NULL, 0);
	char *v = modprobe_param(&c, "vfio_pci", "ids", NULL), *w = where_of(&c, "vfio-pci", "ids");
	CHECK_STR(v, "10de:1b81,10de:10f0");
	CHECK_STR(w, "/etc/modprobe.d/vfio.conf:2");
	CHECK(c.nfiles == 3);
	CHECK_STR(c.files[0].path, "/lib/modprobe.d/aaa.conf");
	free(v);
	free(w);
	modprobe_release(&c);
	drop_root();
}

static void a_name_in_etc_hides_the_same_name_in_lib(void)
{
	struct modprobe_config c;
	fresh_root();
	put("/lib/modprobe.d/blacklist-x.conf", "blacklist nouveau\n");
	put("/usr/lib/modprobe.d/blacklist-x.conf", "blacklist radeon\n");
	put("/etc/modprobe.d/blacklist-x.conf", "blacklist amdgpu\n");
	put("/run/modprobe.d/y.conf", "blacklist nvidia\n");
	modprobe_load(&c, root, NULL, NULL, 0);
	CHECK(modprobe_blacklist(&c, "amdgpu") != NULL);
	CHECK(modprobe_blacklist(&c, "nouveau") == NULL);
	CHECK(modprobe_blacklist(&c, "radeon") == NULL);
	CHECK(modprobe_blacklist(&c, "nvidia") != NULL);
	CHECK(c.hidden.n == 2);
	CHECK_STR(c.hidden.n ? c.hidden.v[0] : NULL,
	          "/usr/lib/modprobe.d/blacklist-x.conf (hidden by /etc/modprobe.d/blacklist-x.conf)");
	modprobe_release(&c);
	drop_root();
}

static void only_conf_files_are_read(void)
{
	struct modprobe_config c;
	fresh_root();
	put("/etc/modprobe.d/vfio.conf.dpkg-old", "options vfio-pci ids=1:1\n");
	put("/etc/modprobe.d/.vfio.conf", "options vfio-pci ids=2:2\n");
	put("/etc/modprobe.d/README", "options vfio-pci ids=3:3\n");
	put("/etc/modprobe.d/sub.conf/x.conf", "options vfio-pci ids=4:4\n");
	put("/etc/modprobe.d/.conf", "options vfio-pci ids=5:5\n");
	modprobe_load(&c, root, NULL, NULL, 0);
	CHECK(c.nfiles == 0);
	CHECK(modprobe_param(&c, "vfio_pci", "ids", NULL) == NULL);
	modprobe_release(&c);
	drop_root();
}

static void continuation_lines_join_and_comments_are_skipped(void)
{
	struct modprobe_config c = { 0 };
	modprobe_add_file(&c, "/etc/modprobe.d/a.conf",
	                  "# options kvm ignore_msrs=1\n"
	                  "options kvm \\\n"
	                  "  ignore_msrs=0 \\\n"
	                  "  report_ignored_msrs=0\n"
	                  "  # indented: not a command either\n"
	                  "options kvm_intel nested=1\n");
	CHECK(c.n == 2);
	CHECK(c.e[0].line == 2 && c.e[0].nlines == 3);
	CHECK(c.e[1].line == 6 && c.e[1].nlines == 1);
	char *v = modprobe_param(&c, "kvm", "report_ignored_msrs", NULL);
	CHECK_STR(v, "0");
	free(v);
	modprobe_release(&c);
}

static void dash_and_underscore_name_one_module(void)
{
	struct modprobe_config c = { 0 };
	modprobe_add_file(&c, "/etc/modprobe.d/a.conf", "options vfio_pci ids=1:1\noptions vfio-pci disable-vga=1\n");
	char *ids = modprobe_param(&c, "vfio-pci", "ids", NULL), *dv = modprobe_param(&c, "vfio_pci", "disable_vga", NULL);
	CHECK_STR(ids, "1:1");
	CHECK_STR(dv, "1");
	CHECK_STR(c.e[1].module, "vfio_pci");
	CHECK_STR(c.e[1].spelled, "vfio-pci");
	free(ids);
	free(dv);
	modprobe_release(&c);
}

static void kernel_command_line_options_come_after_every_file(void)
{
	struct modprobe_config c;
	fresh_root();
	put("/etc/modprobe.d/zzz.conf", "options vfio-pci ids=1:1\n");
	modprobe_load(&c, root, "root=/dev/sda1 vfio-pci.ids=2:2 modprobe.blacklist=nouveau,radeon a.b.c=1 x=y.z quiet",
	              NULL, 0);
	const struct mp_entry *e;
	char *v = modprobe_param(&c, "vfio_pci", "ids", &e);
	CHECK_STR(v, "2:2");
	CHECK(e && e->file == MP_CMDLINE);
	CHECK(modprobe_blacklist(&c, "radeon") != NULL);
	CHECK(c.n == 4);
	free(v);
	modprobe_release(&c);
	drop_root();
}

static void an_override_stands_in_for_a_file(void)
{
	struct modprobe_config c;
	fresh_root();
	put("/etc/modprobe.d/orch-kvm.conf", "options kvm ignore_msrs=1\n");
	put("/lib/modprobe.d/x.conf", "options kvm ignore_msrs=Y\n");
	const struct mp_override ov[] = {
		{ "/etc/modprobe.d/orch-kvm.conf", NULL },
		{ "/etc/modprobe.d/x.conf", "options kvm ignore_msrs=N\n" },
	};
	modprobe_load(&c, root, NULL, ov, 2);
	char *v = modprobe_param(&c, "kvm", "ignore_msrs", NULL), *w = where_of(&c, "kvm", "ignore_msrs");
	CHECK_STR(v, "N");
	CHECK_STR(w, "/etc/modprobe.d/x.conf:1");
	CHECK(c.nfiles == 1);
	free(v);
	free(w);
	modprobe_release(&c);
	drop_root();
}

static void parameters_split_as_the_kernel_reads_them(void)
{
	struct mp_param *p;
	size_t n = mp_params("ids=1:1 dyndbg=\"file x.c +p\" \"quoted=yes\" flag", &p);
	CHECK(n == 4);
	CHECK_STR(p[1].name, "dyndbg");
	CHECK_STR(p[1].value, "file x.c +p");
	CHECK_STR(p[2].name, "quoted");
	CHECK_STR(p[2].value, "yes");
	CHECK(p[3].value == NULL);
	CHECK(mp_bool("Y") == 1 && mp_bool("0") == 0 && mp_bool("off") == 0 && mp_bool("") == 1 && mp_bool("2") == -1);
	mp_params_release(p, n);
}

static void softdep_and_install_take_the_first_match(void)
{
	struct modprobe_config c = { 0 };
	modprobe_add_file(&c, "/etc/modprobe.d/a.conf", "softdep amdgpu pre: foo\ninstall nouveau /bin/false\n");
	modprobe_add_file(&c, "/etc/modprobe.d/orch-host-drivers.conf",
	                  "softdep amdgpu pre: vfio-pci\nsoftdep snd_hda_* pre: vfio_pci\n");
	const struct mp_entry *e = modprobe_softdep(&c, "amdgpu");
	CHECK(e && e->file == 0 && !modprobe_softdep_pre_has(e, "vfio_pci"));
	e = modprobe_softdep(&c, "snd-hda-intel");
	CHECK(e && modprobe_softdep_pre_has(e, "vfio-pci"));
	CHECK(modprobe_install(&c, "nouveau") != NULL);
	modprobe_release(&c);
}

static void disabling_comments_out_every_physical_line(void)
{
	struct modprobe_config c = { 0 };
	modprobe_add_file(&c, "/etc/modprobe.d/vfio.conf",
	                  "# how-to\noptions vfio-pci \\\n ids=10de:1b81 disable_vga=1\nblacklist nouveau\n");
	const struct mp_disable d = { &c.e[0], "vfio-pci ids= is set in /etc/modprobe.d/orch-vfio-pci.conf",
	                              "options vfio-pci disable_vga=1" };
	char *t = modprobe_disable(&c, 0, &d, 1);
	CHECK_STR(t, "# how-to\n"
	             "# disabled by orch (vfio-pci ids= is set in /etc/modprobe.d/orch-vfio-pci.conf): options vfio-pci \\\n"
	             "#  ids=10de:1b81 disable_vga=1\n"
	             "options vfio-pci disable_vga=1\n"
	             "blacklist nouveau\n");
	struct modprobe_config again = { 0 };
	modprobe_add_file(&again, "/etc/modprobe.d/vfio.conf", t);
	char *ids = modprobe_param(&again, "vfio_pci", "ids", NULL), *dv = modprobe_param(&again, "vfio_pci", "disable_vga", NULL);
	CHECK(ids == NULL);
	CHECK_STR(dv, "1");
	free(ids);
	free(dv);
	free(t);
	modprobe_release(&again);
	modprobe_release(&c);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{ "files_merge_sorted_by_name_and_the_last_value_wins", files_merge_sorted_by_name_and_the_last_value_wins },
		{ "a_name_in_etc_hides_the_same_name_in_lib", a_name_in_etc_hides_the_same_name_in_lib },
		{ "only_conf_files_are_read", only_conf_files_are_read },
		{ "continuation_lines_join_and_comments_are_skipped", continuation_lines_join_and_comments_are_skipped },
		{ "dash_and_underscore_name_one_module", dash_and_underscore_name_one_module },
		{ "kernel_command_line_options_come_after_every_file", kernel_command_line_options_come_after_every_file },
		{ "an_override_stands_in_for_a_file", an_override_stands_in_for_a_file },
		{ "parameters_split_as_the_kernel_reads_them", parameters_split_as_the_kernel_reads_them },
		{ "softdep_and_install_take_the_first_match", softdep_and_install_take_the_first_match },
		{ "disabling_comments_out_every_physical_line", disabling_comments_out_every_physical_line },
		{ NULL, NULL },
	};
	return harness_main(tests, argc, argv);
}
