#!/bin/bash
# Legacy BIOS, ext4/LVM, plain GRUB (PVE 8.2, kernel 6.8, Intel: the IOMMU is
# on by default). Of two identical I210 NICs (8086:1533, igb) the free one is
# passed through: its ID is shared with the host's vmbr0 port, so it is bound
# by address (driver_override udev rule), never by ID, and igb stays loaded.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
apply
expect_ok_run

[[ $(result devices | jq -r '.facts.selected | map(.address + " " + .bind) | join(",")') == "0000:02:00.0 address" ]] ||
	fail "selection is not 0000:02:00.0 bound by address: $(result devices)"
expect_status kernel_cmdline ok
expect_absent /etc/default/grub.d/orch.cfg
expect_ran "update-grub" 0

rules=/etc/udev/rules.d/80-orch-vfio-pci.rules
expect_line $rules "$(udev_rule 0000:02:00.0)"
expect_no_match $rules 'KERNEL=="0000:01:00.0"'
if vfio_ids | grep -qx 8086:1533; then
	fail "8086:1533 is bound by ID: the host's enp1s0 would lose its driver"
fi
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep igb pre: vfio-pci"
expect_no_line $hd "blacklist igb"
for m in vfio vfio_iommu_type1 vfio_pci; do expect_line /etc/modules "$m"; done
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
expect_ran "update-initramfs -u -k all" 1
