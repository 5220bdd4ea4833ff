#!/bin/bash
# Intel 5520 chipset (Dell R710): the kernel turns interrupt remapping off
# (erratum), so vfio_iommu_type1 needs allow_unsafe_interrupts=1, and only
# here. The SAS HBA is no VGA device: no disable_vga. Kernel 6.8 has the
# Intel IOMMU on by default: no command line change.
. "$(dirname "$0")/lib.sh"
use_root no-intremap
apply
expect_ok_run

expect_status unsafe_interrupts changed
expect_line /etc/modprobe.d/orch-unsafe-interrupts.conf "options vfio_iommu_type1 allow_unsafe_interrupts=1"
expect_vfio_ids 1000:0072
[[ -z $(vfio_option disable_vga) || $(vfio_option disable_vga) == 0 ]] || fail "disable_vga set for a SAS HBA"
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep mpt3sas pre: vfio-pci"
expect_line $hd "blacklist mpt3sas"
expect_no_line $hd "blacklist megaraid_sas"
expect_status kernel_cmdline ok
expect_absent /etc/default/grub.d/orch.cfg
expect_ran "update-grub" 0
expect_ran "update-initramfs -u -k all" 1
