/* refresh: publish the changed files to what boots: the boot entries or
 * grub.cfg for the command line, the initramfs for modules and options.
 * Each command runs at most once, and only when a file it reads changed in
 * this run or in an earlier run whose refresh did not finish. */
#include "cmd.h"
#include "esp.h"
#include "fileops.h"
#include "steps.h"

#define REFRESH_TIMEOUT 900

int step_refresh(struct agent *ag, const struct step *st, struct result *r)
{
	unsigned needs = ag->needs | pending_read(ag);
	const char *const initramfs[] = { "update-initramfs", "-u", "-k", "all", NULL };
	const char *const pbt[] = { "proxmox-boot-tool", "refresh", NULL };
	const char *const grub[] = { "update-grub", NULL };

	(void)st;
	if (!needs) {
		result_msg(r, "nothing changed that needs a refresh");
		return 0;
	}
	/* on proxmox-boot-tool systems the initramfs, too, boots from the ESPs */
	if (esps_publish_check(ag, r, needs & NEED_BOOT ? "the boot configuration" : "the initramfs") < 0)
		return -1;
	/* update-initramfs also syncs the ESPs on proxmox-boot-tool systems;
	 * the boot refresh after it then carries the new command line too */
	if ((needs & NEED_INITRAMFS) && cmd_run(ag, r, initramfs, REFRESH_TIMEOUT) != 0)
		return -1;
	if (needs & NEED_BOOT) {
		/* proxmox-boot-tool refresh writes each ESP for the loader it boots */
		const char *const *argv = ag->facts.pbt ? pbt : grub;
		if (cmd_run(ag, r, argv, REFRESH_TIMEOUT) != 0)
			return -1;
	}
	if (!ag->check && pending_clear(ag) < 0)
		return result_fail(r, "cannot remove the refresh mark: %m");
	result_set(r, ORCH_CHANGED);
	r->reboot_needed = true;
	result_msg(r, "%s%s%s%s", ag->check ? "would run " : "ran ",
	           needs & NEED_INITRAMFS ? "update-initramfs -u -k all" : "",
	           (needs & NEED_INITRAMFS) && (needs & NEED_BOOT) ? ", " : "",
	           needs & NEED_BOOT ? (ag->facts.pbt ? "proxmox-boot-tool refresh" : "update-grub")
	                             : "");
	return 0;
}
