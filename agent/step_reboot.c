/* reboot: start the reboot detached, so this reply reaches the controller
#include <stdlib.h>
 * before the node goes down; the controller then watches boot_id. */
#include "cmd.h"
#include "steps.h"

int step_reboot(struct agent *ag, const struct step *st, struct result *r)
{
	const char *const argv[] = { "systemctl", "reboot", NULL };
	char *path = cmd_find(ag, "systemctl");

	(void)st;
	if (!path)
		return result_fail(r, "command 'systemctl' not found in the node's command directories");
	free(path);
	result_set(r, ST_CHANGED);
	if (ag->check) {
		result_msg(r, "would reboot");
		return 0;
	}
	if (cmd_detach(ag, argv, 2) < 0)
		return result_fail(r, "cannot start the reboot: %m");
	result_msg(r, "reboot started (boot_id %s)", ag->facts.boot_id ? ag->facts.boot_id : "unknown");
	return 0;
}
