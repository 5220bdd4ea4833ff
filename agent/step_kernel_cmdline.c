/* kernel_cmdline: the IOMMU options on the kernel command line, where the
 * node's boot loader reads them (domain.md §1, §2). */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "esp.h"
#include "facts.h"
#include "fileops.h"
#include "protocol.h"
#include "steps.h"

#define SYSTEMD_BOOT_CMDLINE "/etc/kernel/cmdline"

static void wanted_tokens(struct agent *ag, const struct step *st, struct strv *want)
{
	const char *fb = arg_choice(st, "framebuffer", "auto");
	bool boot_gpu = false;

	/* amd_iommu=on is not a valid value: AMD's IOMMU is on by default */
	if (ag->facts.cpu == CPU_INTEL && !ag->facts.intel_iommu_default_on)
		strv_push(want, "intel_iommu=on");
	if (arg_bool(st, "iommu_pt", false))
		strv_push(want, "iommu=pt");
	for (size_t i = 0; i < ag->nsel; i++)
		if (ag->sel[i].dev->boot_vga == 1 && ag->sel[i].dev->bootfb)
			boot_gpu = true;
	if (strcmp(fb, "yes") == 0 || (strcmp(fb, "auto") == 0 && boot_gpu))
		strv_push(want, "initcall_blacklist=sysfb_init");
}

static int edit_systemd_boot(struct agent *ag, struct result *r, const struct strv *want)
{
	char *old = NULL, *line, *rest, *content;
	struct strv toks = { 0 };
	int have, ret;

	have = node_read(ag, r, SYSTEMD_BOOT_CMDLINE, &old);
	if (have <= 0) {
		if (have == 0)
			result_fail(r, "systemd-boot node without " SYSTEMD_BOOT_CMDLINE);
		return -1;
	}
	rest = strchr(old, '\n');
	line = rest ? xstrndup(old, (size_t)(rest - old)) : xstrdup(old);
	rest = rest ? rest + 1 : "";
	if (!cmdline_balanced(line)) {
		ret = result_fail(r, "the first line of " SYSTEMD_BOOT_CMDLINE " has an unbalanced '\"'; an option "
		                     "added after it would land inside the quotes");
		goto out;
	}
	cmdline_split(line, &toks);
	bool has_root = false;
	for (size_t i = 0; i < toks.n; i++)
		if (starts_with(toks.v[i], "root="))
			has_root = true;
	if (!has_root) {
		ret = result_fail(r, "the first line of " SYSTEMD_BOOT_CMDLINE " has no root=; proxmox-boot-tool "
		                     "refresh would fail, fix it first");
		goto out;
	}
	for (size_t i = 0; i < want->n; i++)
		cmdline_set(&toks, want->v[i]);
	char *joined = cmdline_join(&toks);
	content = xasprintf("%s\n%s", joined, rest);
	free(joined);
	ret = node_ensure(ag, r, SYSTEMD_BOOT_CMDLINE, content, NEED_BOOT);
	free(content);
out:
	strv_release(&toks);
	free(line);
	free(old);
	return ret;
}

/* GRUB: a drop-in of our own that appends to the admin's value, so their
 * files stay as they are and removing ours undoes it. */
static int edit_grub(struct agent *ag, struct result *r, const struct strv *want)
{
	struct strv have = { 0 }, missing = { 0 };
	char *why = NULL, *line, *content = NULL, *after = NULL;
	int ret;

	line = configured_cmdline(ag, ORCH_GRUB_DROPIN, NULL, &why);
	if (!line) {
		ret = result_fail(r, "%s", why);
		goto out;
	}
	cmdline_split(line, &have);
	free(line);
	for (size_t i = 0; i < want->n; i++)
		if (!cmdline_has(&have, want->v[i]))
			strv_push(&missing, want->v[i]);
	if (missing.n) {
		char *toks = cmdline_join(&missing);
		content = xasprintf("# Written by orch: kernel options for PCI passthrough.\n"
		                    "# Removing this file (then update-grub) undoes it.\n"
		                    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT %s\"\n",
		                    toks);
		free(toks);
		after = configured_cmdline(ag, ORCH_GRUB_DROPIN, content, &why);
		struct strv now = { 0 };
		if (after)
			cmdline_split(after, &now);
		for (size_t i = 0; i < missing.n; i++) {
			if (!cmdline_has(&now, missing.v[i])) {
				strv_release(&now);
				ret = result_fail(r, "a defaults file read after " ORCH_GRUB_DROPIN
				                     " sets GRUB_CMDLINE_LINUX_DEFAULT again, dropping '%s'",
				                  missing.v[i]);
				goto out;
			}
		}
		strv_release(&now);
	}
	ret = node_ensure(ag, r, ORCH_GRUB_DROPIN, content, NEED_BOOT);
out:
	free(why);
	free(after);
	free(content);
	strv_release(&have);
	strv_release(&missing);
	return ret;
}

/* Every source the next boot reads gets the tokens: where the ESPs
 * disagree (one GRUB, one systemd-boot) that is both, and the refresh
 * publishes both (docs/agent.md, "The boot loader that boots next"). */
int step_kernel_cmdline(struct agent *ag, const struct step *st, struct result *r)
{
	static const enum cmdline_source order[] = { SRC_KERNEL_CMDLINE, SRC_GRUB_DEFAULTS };
	const struct facts *f = &ag->facts;
	struct strv want = { 0 }, changed = { 0 }, kept = { 0 };
	int ret = 0;

	if (esps_publish_check(ag, r, "the command line") < 0)
		return -1;
	wanted_tokens(ag, st, &want);
	for (size_t i = 0; ret >= 0 && i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(f->cmdline_sources & order[i]))
			continue;
		bool sd = order[i] == SRC_KERNEL_CMDLINE;
		const char *file = sd ? SYSTEMD_BOOT_CMDLINE : ORCH_GRUB_DROPIN;
		ret = sd ? edit_systemd_boot(ag, r, &want) : edit_grub(ag, r, &want);
		strv_push_own(ret > 0 ? &changed : &kept, xasprintf("%s (%s)", file, sd ? "systemd-boot" : "GRUB"));
	}
	if (ret >= 0 && changed.n) {
		char *t = cmdline_join(&want);
		result_set(r, ST_CHANGED);
		for (size_t i = 0; i < changed.n; i++)
			result_msg(r, "%s: %s", changed.v[i], t);
		r->reboot_needed = true;
		free(t);
	}
	if (ret >= 0 && kept.n) {
		if (want.n)
			for (size_t i = 0; i < kept.n; i++)
				result_msg(r, "%s already gives the kernel what it needs", kept.v[i]);
		else
			result_msg(r, "no kernel option needed (%s, kernel %s)",
			           f->cpu == CPU_AMD ? "AMD IOMMU is on by default" : "IOMMU on by default",
			           f->kernel_target);
	}
	strv_release(&changed);
	strv_release(&kept);
	strv_release(&want);
	return ret < 0 ? -1 : 0;
}
