#!/bin/bash
# The pin drop-in names a kernel that is no longer installed (6.2 was
# removed after `kernel pin`): GRUB cannot boot that entry and falls back.
# orch says so, as a fact and in the step's message, and decides for every
# installed kernel: 6.5 lacks VT-d by default, so intel_iommu=on is added.
. "$(dirname "$0")/lib.sh"
use_root grub-pinned-intel-off
for root in "$R" "$P"; do
	sed -i 's/gnulinux-6\.5\.13-5-pve-advanced/gnulinux-6.2.16-3-pve-advanced/' \
		"$root/etc/default/grub.d/proxmox-kernel-pin.cfg"
	"$root/usr/sbin/update-grub" 2>/dev/null
	: >"$root/var/log/orch-fixture/commands.log"
done
apply
expect_ok_run

why=$(kernel_fact target_unresolved)
[[ $why == *"names kernel 6.2.16-3-pve, which is not installed (no /boot/vmlinuz-6.2.16-3-pve)"*"/etc/default/grub.d/proxmox-kernel-pin.cfg:1"* ]] ||
	fail "target_unresolved: '$why'"
[[ $(kernel_fact target_from) == "newest installed, standing in" ]] || fail "decided by: $(kernel_fact target_from)"
expect_status kernel_cmdline changed
msg_of kernel_cmdline | grep -qF "deciding for every installed kernel" || fail "not reported: $(msg_of kernel_cmdline)"
expect_line /etc/default/grub.d/orch.cfg 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"'
for k in 6.5.13-5-pve 6.8.12-4-pve; do
	expect_tokens "$(grub_entry_line /boot/grub/grub.cfg $k)" intel_iommu=on
done
expect_second_apply_and_rollback
