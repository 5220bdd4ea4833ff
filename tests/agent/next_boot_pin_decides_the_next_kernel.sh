#!/bin/bash
# The pinned node of pinned_older_kernel_needs_intel_iommu_on, unpinned, with
# `proxmox-boot-tool kernel pin 6.8.12-4-pve --next-boot`: 6.8 boots next,
# and after it (proxmox-boot-cleanup.service drops the one-boot pin) the
# newest, 6.8 again. 6.8 turns VT-d on by itself: nothing is added, and the
# step names 6.5 as an installed kernel that would boot without an IOMMU.
. "$(dirname "$0")/lib.sh"
use_root sdboot-pinned-6.5
for root in "$R" "$P"; do
	rm "$root/etc/kernel/proxmox-boot-pin"
	echo 6.8.12-4-pve >"$root/etc/kernel/next-boot-pin"
	publish_pins "$root"
done
apply
expect_ok_run

[[ $(kernel_fact target) == 6.8.12-4-pve ]] || fail "target kernel: $(kernel_fact target)"
[[ $(kernel_fact target_from) == /etc/kernel/next-boot-pin ]] || fail "decided by: $(kernel_fact target_from)"
[[ $(kernel_fact after_next_boot) == 6.8.12-4-pve ]] || fail "then: $(kernel_fact after_next_boot)"
expect_status kernel_cmdline ok
expect_unchanged /etc/kernel/cmdline
msg_of kernel_cmdline | grep -qF "installed kernels that would boot without an IOMMU if chosen instead of 6.8.12-4-pve: 6.5.13-5-pve" ||
	fail "6.5 is not reported: $(msg_of kernel_cmdline)"
# the other steps' refresh publishes: the one-boot pin's entry is the default
for esp in 8F22-7B5D 8F23-3F8E; do
	[[ $(sdboot_default $esp) == proxmox-6.8.12-4-pve.conf ]] || fail "ESP $esp boots '$(sdboot_default $esp)'"
	[[ $(sdboot_options $esp 6.8.12-4-pve) == "$(first_line /etc/kernel/cmdline)" ]] ||
		fail "the 6.8 entry on ESP $esp has '$(sdboot_options $esp 6.8.12-4-pve)'"
done
expect_second_apply_and_rollback
