#!/bin/bash
# noout that was set before the rollout (by an admin at work) is not set
# again and is left set after it.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
ha_cluster rack1 node01
ceph_cluster node01
ceph_recover 2 node01
mkdir -p "$T/pve-rack1/fixture-ceph"
echo noout >"$T/pve-rack1/fixture-ceph/flags"
node_boots_configured node01

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "not rebooted"
grep -q "^ok: \[node01\] ceph_noout: noout already set (left set)" "$T/out" || fail "no ceph_noout result"
[[ $(calls node01 "ceph osd") == 0 ]] || fail "noout set or unset: $(grep "^ceph osd" "${ROOT[node01]}/var/log/orch-fixture/commands.log")"
"${ROOT[node01]}/usr/sbin/ceph" osd dump --format json | jq -e '.flags_set | index("noout")' >/dev/null ||
	fail "noout unset"
echo "ok: noout already set is left set"
