#!/bin/bash
# intel_iommu=on was added for the pinned 6.5; once the node is unpinned the
# newest kernel, 6.8, boots next and turns VT-d on by itself. The next apply
# takes out the token orch had added (the backup of the original
# /etc/kernel/cmdline says it was not the admin's), and a rollback still
# restores the original byte for byte.
. "$(dirname "$0")/lib.sh"
use_root sdboot-pinned-6.5
apply
expect_ok_run
expect_tokens "$(first_line /etc/kernel/cmdline)" intel_iommu=on

for root in "$R" "$P"; do
	rm "$root/etc/kernel/proxmox-boot-pin"
	publish_pins "$root"
done
apply
expect_ok_run
[[ $(kernel_fact target_from) == "newest installed" ]] || fail "decided by: $(kernel_fact target_from)"
expect_status kernel_cmdline changed
l=$(first_line /etc/kernel/cmdline)
[[ $l == "root=ZFS=rpool/ROOT/pve-1 boot=zfs" ]] || fail "/etc/kernel/cmdline: '$l'"
msg_of kernel_cmdline | grep -qF "removed 'intel_iommu=on' that orch had added and no longer needs" ||
	fail "the removal is not reported: $(msg_of kernel_cmdline)"
[[ $(sdboot_default 8F22-7B5D) == "proxmox-*" ]] || fail "ESP boots '$(sdboot_default 8F22-7B5D)'"
[[ $(sdboot_options 8F22-7B5D 6.8.12-4-pve) == "$l" ]] || fail "the 6.8 entry has '$(sdboot_options 8F22-7B5D 6.8.12-4-pve)'"
expect_second_apply_and_rollback
