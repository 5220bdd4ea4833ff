#!/bin/bash
# A second SIGINT does not wait for the cleanup the first one started: orch
# exits at once with status 16 and names the node it may have left in HA
# maintenance mode.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
node_boots node01
ha_stack node01 "pve-sd1 active" "pve-sd2 active" -- "vm:100 pve-sd1 started"
ha_move_seconds node01 1000
# taking the node out of maintenance takes its time
mv "${ROOT[node01]}/usr/sbin/ha-manager" "${ROOT[node01]}/usr/sbin/ha-manager.real"
node_program node01 ha-manager '[ "$3" = disable ] && sleep 10; exec "$R/usr/sbin/ha-manager.real" "$@"'

orch_in_background apply "$T/inventory.ini" "${KH[@]}" --maintenance
until_calls node01 "ha-manager crm-command node-maintenance enable" 1
sleep 1
kill -INT "$ORCH_PID"
until_calls node01 "ha-manager crm-command node-maintenance disable" 1
kill -INT "$ORCH_PID"
orch_waited
expect_rc 16
grep -q "^orch: SIGINT again: exiting at once$" "$T/out" || fail "no word of the second signal"
grep -q "^orch: node01 (pve-sd1) may still be in HA maintenance mode: run 'ha-manager crm-command node-maintenance disable pve-sd1' on a member of its cluster$" "$T/out" ||
	fail "what is left is not named"
[[ $(calls node01 "systemctl reboot") == 0 ]] || fail "rebooted"
echo "ok: a second signal exits at once, naming what is left"
