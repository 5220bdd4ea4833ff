#!/bin/bash
# HA services that do not leave within --maintenance-timeout fail the node,
# named; it is not rebooted and leaves maintenance mode again.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
node_boots node01
ha_stack node01 "pve-sd1 active" "pve-sd2 active" -- "vm:100 pve-sd1 started" "vm:101 pve-sd1 started"
ha_move_seconds node01 1000

orch apply "$T/inventory.ini" "${KH[@]}" --maintenance --maintenance-timeout 4
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => ha_services: HA services still on the node after 4 s: vm:100 (migrate), vm:101 (migrate); not rebooted" "$T/out" ||
	fail "no timeout naming the services"
[[ $(calls node01 "systemctl reboot") == 0 ]] || fail "rebooted anyway"
log=${ROOT[node01]}/var/log/orch-fixture/commands.log
grep -q "^ha-manager crm-command node-maintenance disable pve-sd1$" "$log" || fail "maintenance not disabled"
"${ROOT[node01]}/usr/sbin/ha-manager" status | grep -q "^lrm pve-sd1 (active," || fail "node still in maintenance mode"
echo "ok: the HA timeout fails the node without a reboot"
