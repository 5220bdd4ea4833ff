/* reboot: start the reboot detached, so this reply reaches the controller
 * before the node goes down; the controller then watches boot_id. Running
 * guests would stop with the node: refused unless allowed. */
#include <stdlib.h>

#include "cmd.h"
#include "steps.h"

int step_reboot(struct agent *ag, const struct step *st, struct result *r)
{
	const char *const argv[] = { "systemctl", "reboot", NULL };
	const struct strv *guests = &ag->facts.running_guests;
	char *path = cmd_find(ag, "systemctl");

	if (!path)
		return result_fail(r, "command 'systemctl' not found in the node's command directories");
	free(path);
	if (guests->n && !arg_bool(st, "allow_guests", false)) {
		struct sb m;
		sb_init(&m);
		for (size_t i = 0; i < guests->n; i++)
			sb_addf(&m, "%s%s", i ? ", " : "", guests->v[i]);
		result_fail(r, "%zu guest%s running (%s); not rebooting (allow with --allow-guest-shutdown or use "
		               "--maintenance)", guests->n, guests->n == 1 ? "" : "s", m.s);
		sb_release(&m);
		return -1;
	}
	result_set(r, ORCH_CHANGED);
	if (ag->check) {
		result_msg(r, "would reboot");
		return 0;
	}
	if (cmd_detach(ag, argv, 2) < 0)
		return result_fail(r, "cannot start the reboot: %m");
	result_msg(r, "reboot started (boot_id %s)", ag->facts.boot_id ? ag->facts.boot_id : "unknown");
	return 0;
}

/* maintenance: HA maintenance mode for this node, so HA guests move away
 * before a reboot and come back after it (ha-manager, PVE 7.3+). */
int step_maintenance(struct agent *ag, const struct step *st, struct result *r)
{
	bool enable = arg_bool(st, "enable", false);
	const char *node = ag->facts.hostname;
	const char *const argv[] = { "ha-manager", "crm-command", "node-maintenance", enable ? "enable" : "disable",
		                     node, NULL };

	if (!node)
		return result_fail(r, "the node's name is unknown (no /proc/sys/kernel/hostname)");
	if (cmd_run(ag, r, argv, 120) != 0)
		return -1;
	result_set(r, ORCH_CHANGED);
	result_msg(r, "HA maintenance mode %s for %s", enable ? "enabled" : "disabled", node);
	return 0;
}
