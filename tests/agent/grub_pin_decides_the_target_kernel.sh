#!/bin/bash
# Plain GRUB with 6.8 installed and 6.5 pinned: `proxmox-boot-tool kernel pin`
# wrote GRUB_DEFAULT="gnulinux-advanced-<id>>gnulinux-6.5.13-5-pve-advanced-<id>"
# into /etc/default/grub.d/proxmox-kernel-pin.cfg. The GRUB defaults decide:
# 6.5 boots, it lacks VT-d by default, so orch's drop-in adds intel_iommu=on
# and the regenerated grub.cfg gives it to the pinned entry, which stays the
# default.
. "$(dirname "$0")/lib.sh"
use_root grub-pinned-intel-off
apply
expect_ok_run

pin='gnulinux-advanced-3b6e1f0a-9c2d-4e57-8a41-d0c7f2b95e63>gnulinux-6.5.13-5-pve-advanced-3b6e1f0a-9c2d-4e57-8a41-d0c7f2b95e63'
[[ $(kernel_fact target) == 6.5.13-5-pve ]] || fail "target kernel: $(kernel_fact target)"
[[ $(kernel_fact target_from) == "GRUB_DEFAULT '$pin' (/etc/default/grub.d/proxmox-kernel-pin.cfg:1)" ]] ||
	fail "decided by: $(kernel_fact target_from)"
expect_status kernel_cmdline changed
expect_line /etc/default/grub.d/orch.cfg 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"'
expect_unchanged /etc/default/grub.d/proxmox-kernel-pin.cfg
expect_line /boot/grub/grub.cfg "set default=\"$pin\""
l=$(grub_entry_line /boot/grub/grub.cfg 6.5.13-5-pve)
expect_tokens "$l" quiet intel_iommu=on
expect_ran update-grub 1
expect_second_apply_and_rollback
