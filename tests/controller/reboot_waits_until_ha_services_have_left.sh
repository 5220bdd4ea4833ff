#!/bin/bash
# With --maintenance the node reboots only once ha-manager shows no active
# HA service on it: the request is only queued, and the services take a
# few seconds to migrate.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
# what the HA stack says of the node when it goes down
node_boots node01 '"$R/usr/sbin/ha-manager" status >"$R/var/log/orch-fixture/ha-at-reboot"'
ha_stack node01 "pve-sd1 active" "pve-sd2 active" -- "vm:100 pve-sd1 started" "ct:101 pve-sd1 stopped" \
	"vm:102 pve-sd2 started"
ha_move_seconds node01 6

orch apply "$T/inventory.ini" "${KH[@]}" --maintenance
at_reboot=${ROOT[node01]}/var/log/orch-fixture/ha-at-reboot
[[ -f $at_reboot ]] || fail "node01 was not rebooted"
grep -q "^service vm:100 (pve-sd2, started)$" "$at_reboot" ||
	fail "rebooted before vm:100 had left: $(grep vm:100 "$at_reboot")"
grep -q "^lrm pve-sd1 (maintenance mode," "$at_reboot" || fail "rebooted with the LRM not in maintenance mode"
grep -Eq "^ok: \[node01\] ha_services: no active HA service left after [4-9] s" "$T/out" ||
	fail "no ha_services result after the wait"
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "reboot not started once"
echo "ok: the reboot waited until the HA services had left"
