#!/bin/bash
# PVE 9 on AMD with systemd-boot, iommu=off in /etc/kernel/cmdline: the kernel
# (6.14) turns the AMD IOMMU on by itself, but iommu=off turns every IOMMU
# off. It is taken out of the first line in place, reported with its
# file:line; nothing else is added on AMD, and the published entry carries
# the line without it.
. "$(dirname "$0")/lib.sh"
use_root sdboot-iommu-off
apply
expect_ok_run

expect_status kernel_cmdline changed
l=$(first_line /etc/kernel/cmdline)
[[ $l == "root=ZFS=rpool/ROOT/pve-1 boot=zfs" ]] || fail "/etc/kernel/cmdline: '$l'"
msg_of kernel_cmdline | grep -qF "removed 'iommu=off' from /etc/kernel/cmdline:1" ||
	fail "the removal is not reported with its file:line: $(msg_of kernel_cmdline)"
[[ $(sdboot_options B1E4-07A9 6.14.8-2-pve) == "$l" ]] || fail "the entry has '$(sdboot_options B1E4-07A9 6.14.8-2-pve)'"
expect_second_apply_and_rollback
