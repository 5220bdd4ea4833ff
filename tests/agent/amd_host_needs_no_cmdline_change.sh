#!/bin/bash
# On AMD the IOMMU is on by default and amd_iommu=on is not a valid value:
# without iommu=pt and with no boot-VGA device selected there is nothing to
# add to the command line, so no drop-in is written and update-grub does not run.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
apply
expect_ok_run
expect_status kernel_cmdline ok
expect_absent /etc/default/grub.d/orch.cfg
expect_unchanged /boot/grub/grub.cfg
expect_ran "update-grub" 0
expect_ran "proxmox-boot-tool refresh" 0
expect_ran "update-initramfs -u -k all" 1
