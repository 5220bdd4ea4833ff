#!/bin/bash
# The devices step refuses what the host needs or cannot give away alone,
# names the device and why, runs nothing after it and writes nothing.
#   Usage: ... KIND
# ctest: CASES bridged_nic nic_by_shared_id bond_member root_pool_nvme root_lvm_disk
# ctest: CASES foreign_group_member selector_matches_nothing
. "$(dirname "$0")/lib.sh"
case ${1:?usage: $0 KIND} in
bridged_nic) root=lvm-bios-grub sel=01:00 words="0000:01:00.0 vmbr0" ;;
nic_by_shared_id) root=lvm-bios-grub sel=8086:1533 words="0000:01:00.0 vmbr0" ;;
bond_member) root=pve7-5.15 sel=0000:05:00.0 words="0000:05:00.0 bond0" ;;
root_pool_nvme) root=zfs-secureboot-grub sel=01:00 words="0000:01:00.0 rpool" ;;
root_lvm_disk) root=lvm-uefi-grub sel=01:00 words="0000:01:00.0 nvme0n1" ;;
foreign_group_member) root=foreign-group sel=04:00 words="0000:04:00.0 0000:05:00.0 0000:02:00.0" ;;
selector_matches_nothing) root=zfs-uefi-sdboot sel=0000:42:00.0 words="0000:42:00.0" ;;
*) fail "unknown kind '$1'" ;;
esac
use_root $root
apply --select "$sel"
expect_rc 1
expect_status devices failed
m=$(msg_of devices)
for w in $words; do
	grep -qF -- "$w" <<<"$m" || fail "the refusal does not name '$w': $m"
done
for s in kernel_cmdline vfio_modules vfio_bind host_drivers unsafe_interrupts ignore_msrs refresh; do
	expect_status $s skipped
done
[[ $(summary_field failed) == 1 ]] || fail "the summary does not count the failed step"
expect_no_commands
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
