#!/bin/bash
# pci_guests: after the node's reboot is verified and its entry is in the
# cluster's mapping, the mapping is attached to its stopped VM with `qm set`
# (pcie=1: the VM is q35), reported as the host's `guests` step; a second
# apply changes nothing.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
R1=${ROOT[node01]}
# the reboot brings up what the fixture zfs-uefi-sdboot-rebooted has: the
# IOMMU on and the GPU on vfio-pci, with the command line orch configured
node_boots_configured node01
cluster_of rack1 node01
write_inventory pci_mapping=gpu pci_guests=100
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
log=$R1/var/log/orch-fixture/commands.log
conf=$R1/etc/pve/nodes/node01/qemu-server/100.conf
grep -qx "qm set 100 --hostpci0 mapping=gpu,pcie=1" "$log" || fail "qm set did not run"
grep -qx "hostpci0: mapping=gpu,pcie=1" "$conf" || fail "100.conf lacks the mapping"
rb=$(grep -n "^systemctl reboot" "$log" | cut -d: -f1)
pv=$(grep -n "^pvesh create /cluster/mapping/pci" "$log" | cut -d: -f1)
qs=$(grep -n "^qm set" "$log" | cut -d: -f1)
((rb < pv && pv < qs)) || fail "order: reboot (line $rb), mapping written (line $pv), qm set (line $qs)"
grep -q "^changed: \[node01\] guests: VM 100: hostpci0 mapping=gpu,pcie=1" "$T/out" || fail "no guests result in the output"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
[[ $(grep -c "^qm set" "$log") == 1 ]] || fail "the second apply ran qm set again"
grep -q "^ok: \[node01\] guests: VM 100: hostpci0 mapping=gpu,pcie=1 already" "$T/out" || fail "the second apply did not report guests ok"
echo "ok: guests attached after the verified reboot and the mapping"
