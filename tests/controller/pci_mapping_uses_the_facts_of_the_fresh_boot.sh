#!/bin/bash
# Two nodes that need a reboot for their GPU: the rolling reboot brings each
# back (the emulated boot gives it the sysfs and /proc of the same machine
# booted with the GPU on vfio-pci and the IOMMU on), it verifies, and the
# mapping is written from the facts of that fresh boot (the IOMMU group
# exists only there), after the last node is back.
source "$(dirname "$0")/reboot_lib.sh"
fleet 2 zfs-uefi-sdboot
after=$FIXTURES/zfs-uefi-sdboot-rebooted
for h in "${HOSTS[@]}"; do
	PASSTHROUGH[$h]=01:00
	node_program "$h" systemctl '
[ "$1" = reboot ] || exit 0
rm -rf "$R/sys" "$R/proc.new"
cp -a '"$after"'/sys "$R/sys"
cp -a '"$after"'/proc "$R/proc.new"
cp "$R/proc/sys/kernel/hostname" "$R/proc.new/sys/kernel/hostname"
rm -rf "$R/proc" && mv "$R/proc.new" "$R/proc"
cat /proc/sys/kernel/random/uuid >"$R/proc/sys/kernel/random/boot_id"
printf "initrd=\\EFI\\proxmox\\initrd.img %s\n" "$(head -n1 "$R/etc/kernel/cmdline")" >"$R/proc/cmdline"'
done
cluster_of rack1 node01 node02
write_inventory "pci_mapping=gpu"
for h in "${HOSTS[@]}"; do
	[[ ! -e ${ROOT[$h]}/sys/bus/pci/devices/0000:01:00.0/iommu_group ]] || fail "$h has an IOMMU group before the reboot"
done

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
for h in node01 node02; do
	grep -q "^ok: \[$h\] verify" "$T/out" || fail "$h did not verify"
	assert_eq "$h's checks of mapping gpu" "$(check_node "$h" | jq -c '.[] | select(.id == "gpu") | .checks')" "[]"
done
grep -q $'^\tmap node=node02,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1$' "$T/pve/rack1/mapping/pci.cfg" ||
	fail "node02's entry is not from the fresh boot"
last_reboot=$(grep -n "^changed: \[node02\] reboot" "$T/out" | cut -d: -f1)
mapping=$(grep -n "^changed: \[node01\] pci_mapping" "$T/out" | cut -d: -f1)
((last_reboot < mapping)) || fail "the mapping was written before node02 came back"
echo "ok: the mapping came from the facts of the fresh boots"
