#!/bin/bash
# pci_guests: after the node's reboot is verified, its mapping is attached
# to its stopped VM with `qm set` (pcie=1: the VM is q35), reported as the
# host's `guests` step; a second apply changes nothing.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
R1=${ROOT[node01]}
# the reboot brings up what the fixture zfs-uefi-sdboot-rebooted has: the
# IOMMU on and the GPU on vfio-pci, with the command line orch configured
cp -a "$FIXTURES/zfs-uefi-sdboot-rebooted/sys" "$T/booted-sys"
node_program node01 systemctl "
[ \"\$1\" = reboot ] || exit 0
rm -rf \"\$R/sys\" && cp -a '$T/booted-sys' \"\$R/sys\"
cat /proc/sys/kernel/random/uuid >\"\$R/proc/sys/kernel/random/boot_id\"
printf 'initrd=\\\\EFI\\\\proxmox\\\\initrd.img %s\\n' \"\$(head -n1 \"\$R/etc/kernel/cmdline\")\" >\"\$R/proc/cmdline\""
mkdir -p "$R1/etc/pve/mapping"
printf 'gpu\n\tmap node=pve-sd1,path=0000:01:00,id=10de:1b81,iommugroup=1\n' >"$R1/etc/pve/mapping/pci.cfg"
write_inventory pci_mapping=gpu pci_guests=100
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
log=$R1/var/log/orch-fixture/commands.log
grep -qx "qm set 100 --hostpci0 mapping=gpu,pcie=1" "$log" || fail "qm set did not run"
grep -qx "hostpci0: mapping=gpu,pcie=1" "$R1/etc/pve/qemu-server/100.conf" || fail "100.conf lacks the mapping"
rb=$(grep -n "^systemctl reboot" "$log" | cut -d: -f1)
qs=$(grep -n "^qm set" "$log" | cut -d: -f1)
((rb < qs)) || fail "qm set (line $qs) ran before the reboot (line $rb)"
grep -q "^changed: \[node01\] guests: VM 100: hostpci0 mapping=gpu,pcie=1" "$T/out" || fail "no guests result in the output"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
[[ $(grep -c "^qm set" "$log") == 1 ]] || fail "the second apply ran qm set again"
grep -q "^ok: \[node01\] guests: VM 100: hostpci0 mapping=gpu,pcie=1 already" "$T/out" || fail "the second apply did not report guests ok"
echo "ok: guests attached after the verified reboot"
