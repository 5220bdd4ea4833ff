#!/bin/bash
# A node that has not booted the configured state (reboot=never) gets no
# VM attached: its guests step is skipped with the reason.
source "$(dirname "$0")/lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
R1=${ROOT[node01]}
mkdir -p "$R1/etc/pve/mapping"
printf 'gpu\n\tmap node=pve-sd1,path=0000:01:00,id=10de:1b81,iommugroup=1\n' >"$R1/etc/pve/mapping/pci.cfg"
write_inventory pci_mapping=gpu pci_guests=100
orch apply "$T/inventory.ini" "${KH[@]}"
grep -q "guests.*reboot pending" "$T/out" || fail "the guests step is not skipped for the pending reboot"
! grep -q "^qm set" "$R1/var/log/orch-fixture/commands.log" || fail "qm set ran"
echo "ok: no guest attached before the reboot"
