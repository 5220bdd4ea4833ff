#!/bin/bash
# --maintenance puts the node into HA maintenance before its reboot and takes
# it out after it came back, and waits for quorum on a cluster member.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
node_boots node01
node_program node01 ha-manager 'exit 0'
mkdir -p "${ROOT[node01]}/etc/pve"
echo "totem { cluster_name: rack1 }" >"${ROOT[node01]}/etc/pve/corosync.conf"
# quorum comes back on the third question after the reboot (the first
# calls: the apply, maintenance and its HA services, the reboot, the verify)
node_program node01 pvecm '
n=$(grep -c "^pvecm" "$R/var/log/orch-fixture/commands.log")
q=No; [ "$n" -ge 6 ] && q=Yes
cat <<PVECM
Cluster information
-------------------
Name:             rack1
Config Version:   3
Transport:        knet
Secure auth:      on

Quorum information
------------------
Date:             Tue Nov 24 21:00:00 2026
Quorum provider:  corosync_votequorum
Nodes:            3
Node ID:          0x00000001
Ring ID:          1.2a
Quorate:          $q
PVECM'

orch apply "$T/inventory.ini" "${KH[@]}" --maintenance
log=${ROOT[node01]}/var/log/orch-fixture/commands.log
grep -n "^ha-manager crm-command node-maintenance enable pve-sd1$" "$log" >/dev/null || fail "maintenance not enabled"
grep -n "^ha-manager crm-command node-maintenance disable pve-sd1$" "$log" >/dev/null || fail "maintenance not disabled"
en=$(grep -n "node-maintenance enable" "$log" | cut -d: -f1)
rb=$(grep -n "^systemctl reboot" "$log" | cut -d: -f1)
dis=$(grep -n "node-maintenance disable" "$log" | cut -d: -f1)
((en < rb && rb < dis)) || fail "order: enable $en, reboot $rb, disable $dis"
grep -q "waiting .* for the cluster to be quorate again" "$T/out" || fail "did not wait for quorum"
[[ $(calls node01 pvecm) -ge 4 ]] || fail "quorum asked only $(calls node01 pvecm) times"
echo "ok: HA maintenance around the reboot, quorum waited for"
