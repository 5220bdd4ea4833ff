/* reboot: start the reboot detached, so this reply reaches the controller
 * before the node goes down; the controller then watches boot_id. Running
 * guests would stop with the node: refused unless allowed. */
#include <stdlib.h>
#include <string.h>

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
	/* another member's name: maintenance is a cluster-wide request, so a
	 * node that is down is taken out through any member */
	json_t *other = json_array_get(json_object_get(st->args, "node"), 0);
	const char *node = other ? json_string_value(other) : ag->facts.hostname;
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

/* Whether an HA service in this state still holds the node: what the LRM
 * counts as active before it lets a node in maintenance go
 * (pve-ha-manager src/PVE/HA/Tools.pm count_active_services), in the words
 * `ha-manager status` prints (get_verbose_service_state). */
static bool ha_state_active(const char *state)
{
	static const char *const idle[] = { "stopped", "disabled", "freeze", "error", "ignored", "request_start",
		                            "deleting", NULL };

	for (size_t i = 0; idle[i]; i++)
		if (strcmp(state, idle[i]) == 0)
			return false;
	return true;
}

/* ha_services: what `ha-manager status` says of this node: its LRM's state
 * and the HA services still active on it. Reports, changes nothing; the
 * controller waits on it after enabling maintenance mode. The lines read
 * (src/PVE/API2/HA/Status.pm): "lrm NODE (STATE, ...)" and
 * "service SID (NODE, STATE)". */
int step_ha_services(struct agent *ag, const struct step *st, struct result *r)
{
	const char *node = ag->facts.hostname;
	const char *const argv[] = { "ha-manager", "status", NULL };
	char *out, *save = NULL, *lrm = NULL;
	struct strv left = { 0 };

	(void)st;
	if (!node)
		return result_fail(r, "the node's name is unknown (no /proc/sys/kernel/hostname)");
	if (!(out = cmd_output(ag, argv, 60)))
		return result_fail(r, "'ha-manager status' failed or is not installed");
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char what[16], name[256], where[256], state[64];
		if (sscanf(line, "%15s %255s (%255[^,)], %63[^,)]", what, name, where, state) == 4 &&
		    strcmp(what, "service") == 0 && strcmp(where, node) == 0 && ha_state_active(state))
			strv_push_own(&left, xasprintf("%s (%s)", name, state));
		else if (sscanf(line, "lrm %255s (%255[^,)]", name, where) == 2 && strcmp(name, node) == 0 && !lrm)
			lrm = xstrdup(where);
	}
	free(out);
	r->facts = json_pack("{s:s, s:s?, s:o}", "node", node, "lrm", lrm, "services", strv_json(&left));
	if (left.n) {
		struct sb m;
		sb_init(&m);
		for (size_t i = 0; i < left.n; i++)
			sb_addf(&m, "%s%s", i ? ", " : "", left.v[i]);
		result_msg(r, "%zu HA service%s on %s: %s; LRM: %s", left.n, left.n == 1 ? "" : "s", node, m.s,
		           lrm ? lrm : "none");
		sb_release(&m);
	} else {
		result_msg(r, "no active HA service on %s; LRM: %s", node, lrm ? lrm : "none");
	}
	free(lrm);
	strv_release(&left);
	return 0;
}
