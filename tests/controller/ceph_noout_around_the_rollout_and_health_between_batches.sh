#!/bin/bash
# Nodes that run Ceph OSDs: noout is set before the first of them reboots
# and unset after the last; the next batch waits until Ceph's health is
# back to what it was before the rollout (the OSDs of the rebooted node
# take a few seconds to come back).
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 2 zfs-uefi-sdboot
ha_cluster rack1 node01 node02
ceph_cluster node01 node02
ceph_recover 8 node01 node02
look='"$R/usr/sbin/ceph" osd dump --format json >"$R/var/log/orch-fixture/osdmap-at-reboot"
"$R/usr/sbin/ceph" health detail --format json >"$R/var/log/orch-fixture/health-at-reboot"'
node_boots_configured node01 "$look"
node_boots_configured node02 "$look"

orch apply "$T/inventory.ini" "${KH[@]}" --serial 1
expect_rc 0
for h in node01 node02; do
	[[ $(calls $h "systemctl reboot") == 1 ]] || fail "$h not rebooted once"
	jq -e '.flags_set | index("noout")' "${ROOT[$h]}/var/log/orch-fixture/osdmap-at-reboot" >/dev/null ||
		fail "$h rebooted without noout"
done
jq -e '.checks | has("OSD_DOWN") | not' "${ROOT[node02]}/var/log/orch-fixture/health-at-reboot" >/dev/null ||
	fail "node02 rebooted while node01's OSDs were down: $(cat "${ROOT[node02]}/var/log/orch-fixture/health-at-reboot")"
grep -Eq "^ok: \[node0[12]\] ceph_health: health as before the rollout after [3-9] s" "$T/out" ||
	fail "no wait for Ceph's health"
logs=("${ROOT[node01]}/var/log/orch-fixture/commands.log" "${ROOT[node02]}/var/log/orch-fixture/commands.log")
[[ $(cat "${logs[@]}" | grep -c "^ceph osd set noout$") == 1 ]] || fail "noout not set once"
[[ $(cat "${logs[@]}" | grep -c "^ceph osd unset noout$") == 1 ]] || fail "noout not unset once"
"${ROOT[node01]}/usr/sbin/ceph" osd dump --format json | jq -e '.flags_set | index("noout") | not' >/dev/null ||
	fail "noout left set"
echo "ok: noout around the rollout, health waited for between batches"
