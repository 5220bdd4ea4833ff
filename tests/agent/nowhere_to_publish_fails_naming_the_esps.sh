#!/bin/bash
# No ESP listed in /etc/kernel/proxmox-boot-uuids exists (both disks
# replaced without `proxmox-boot-tool init`): a refresh would publish
# nothing, and the node would boot what it booted before. The node fails at
# the command line step, naming the UUIDs, with nothing changed and no
# command run; a plan that only changes module options (which reach the
# ESPs in the initramfs) fails at the refresh the same way.
. "$(dirname "$0")/lib.sh"
use_root esp-list-all-stale
apply
expect_rc 1
expect_status kernel_cmdline failed
for u in 8F22-7B5D 8F23-3F8E; do
	msg_of kernel_cmdline | grep -qF "ESP $u: /dev/disk/by-uuid/$u does not exist" ||
		fail "the failure does not name ESP $u: $(msg_of kernel_cmdline)"
done
msg_of kernel_cmdline | grep -qF "/etc/kernel/proxmox-boot-uuids" || fail "the failure does not name the list"
expect_status refresh skipped
expect_no_commands
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log

apply --check --steps "facts devices vfio_bind refresh"
expect_rc 1
expect_status vfio_bind changed
expect_status refresh failed
msg_of refresh | grep -qF "nowhere to publish the initramfs" || fail "refresh: $(msg_of refresh)"
for u in 8F22-7B5D 8F23-3F8E; do
	msg_of refresh | grep -qF "ESP $u" || fail "refresh does not name ESP $u: $(msg_of refresh)"
done
expect_no_commands
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
