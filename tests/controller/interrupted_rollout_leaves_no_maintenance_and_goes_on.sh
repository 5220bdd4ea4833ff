#!/bin/bash
# SIGINT while a node reboots: no other node starts, the rebooting node
# leaves HA maintenance mode through another member, the noout orch set is
# unset, the text says where each node was; run again, the rollout goes on: the node whose fresh boot
# runs the configured state is ok without a reboot, the other one reboots.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 2 zfs-uefi-sdboot
ha_cluster rack1 node01 node02
ha_stack node01 "pve1 active" "pve2 active" -- "vm:100 pve1 started" "vm:200 pve2 started"
ha_move_seconds node01 1
ceph_cluster node01 node02
node_never_returns node01   # it reboots, and takes its time coming back
node_boots_configured node02

orch_in_background apply "$T/inventory.ini" "${KH[@]}" --maintenance
until_calls node01 "systemctl reboot" 1
sleep 2
kill -INT "$ORCH_PID"
orch_waited
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "node01 was not rebooted"
expect_rc 18
grep -Eq "^orch: node01 \(pve1\): rebooting, waited [0-9]+ s for a new boot_id; HA maintenance mode disabled through node02$" "$T/out" ||
	fail "where node01 was is not said"
grep -q "^ha-manager crm-command node-maintenance disable pve1$" "${ROOT[node02]}/var/log/orch-fixture/commands.log" ||
	fail "maintenance not disabled through node02"
grep -q "^skipping: \[node02\] reboot: not rebooted: SIGINT stopped the rollout after batch 1" "$T/out" ||
	fail "node02 not reported skipped"
[[ $(calls node02 "systemctl reboot") == 0 ]] || fail "node02 rebooted after the signal"
[[ $(calls node02 "ha-manager crm-command node-maintenance enable") == 0 ]] || fail "node02 put into maintenance"
sleep 1.2
"${ROOT[node01]}/usr/sbin/ha-manager" status >"$T/ha"
grep -q "^lrm pve1 (active," "$T/ha" || fail "pve1 left in maintenance mode: $(cat "$T/ha")"
grep -q "^ceph osd unset noout$" "${ROOT[node02]}/var/log/orch-fixture/commands.log" ||
	fail "noout not unset through node02"
"${ROOT[node02]}/usr/sbin/ceph" osd dump --format json | jq -e '.flags_set | index("noout") | not' >/dev/null ||
	fail "noout left set"

# node01's boot completes
node_boots_configured node01
"${ROOT[node01]}/usr/sbin/systemctl" reboot
orch apply "$T/inventory.ini" "${KH[@]}" --maintenance
expect_rc 0
[[ $(calls node01 "systemctl reboot") == 2 ]] || fail "node01 rebooted again"   # the one above
[[ $(recap node01 failed) == 0 ]] || fail "node01 failed on the second run"
# (what changed on node01 is the cluster's noout, set and unset through it)
grep "^changed: \[node01\]" "$T/out" | grep -qv "ceph_noout: noout" && fail "node01 changed on the second run"
grep -q "\[node01\] reboot" "$T/out" && fail "node01 got a reboot result on the second run"
[[ $(calls node02 "systemctl reboot") == 1 ]] || fail "node02 not rebooted on the second run"
grep -q "^ok: \[node02\] verify: IOMMU on" "$T/out" || fail "node02 not verified"
"${ROOT[node02]}/usr/sbin/ceph" osd dump --format json | jq -e '.flags_set | index("noout") | not' >/dev/null ||
	fail "noout left set after the second run"
echo "ok: an interrupted rollout leaves no maintenance and goes on"
