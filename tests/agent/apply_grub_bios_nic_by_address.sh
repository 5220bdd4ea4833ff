#!/bin/bash
# Legacy BIOS, ext4/LVM, plain GRUB (PVE 8.2, kernel 6.8, Intel: the IOMMU is
# on by default). Of two identical I210 NICs (8086:1533, igb) the free one is
# passed through: its ID is shared with the host's vmbr0 port, so it is bound
# by address, never by ID, and igb stays loaded. The address binding is an
# initramfs-tools init-top script that the rebuilt image runs before udev's
# coldplug loads igb.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
apply
expect_ok_run

[[ $(result devices | jq -r '.facts.selected | map(.address + " " + .bind) | join(",")') == "0000:02:00.0 address" ]] ||
	fail "selection is not 0000:02:00.0 bound by address: $(result devices)"
expect_status kernel_cmdline ok
expect_absent /etc/default/grub.d/orch.cfg
expect_ran "update-grub" 0

expect_bound_by_address 0000:02:00.0
expect_absent /etc/udev/rules.d/80-orch-vfio-pci.rules
[[ $(image_order 6.8.12-4-pve | tr '\n' ' ') == "all_generic_ide blacklist keymap orch-vfio-pci udev " ]] ||
	fail "the rebuilt image does not run orch-vfio-pci before udev: $(image_order 6.8.12-4-pve | tr '\n' ' ')"
cmp -s "$(f $BIND_SCRIPT)" "$R/var/lib/orch-fixture/initramfs/6.8.12-4-pve/scripts/init-top/orch-vfio-pci" ||
	fail "the image does not hold the script orch wrote"
grep -q 'by address.*0000:02:00.0' <<<"$(msg_of vfio_bind)" || fail "vfio_bind does not say it binds by address: $(msg_of vfio_bind)"
[[ $(result devices | jq -r '.facts.selected[0].builtin') == false ]] || fail "igb reported built in"
if vfio_ids | grep -qx 8086:1533; then
	fail "8086:1533 is bound by ID: the host's enp1s0 would lose its driver"
fi
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep igb pre: vfio-pci"
expect_no_line $hd "blacklist igb"
for m in vfio vfio_iommu_type1 vfio_pci; do expect_line /etc/modules "$m"; done
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
expect_ran "update-initramfs -u -k all" 1
