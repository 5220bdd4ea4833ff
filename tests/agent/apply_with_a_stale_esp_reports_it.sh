#!/bin/bash
# /etc/kernel/proxmox-boot-uuids still lists the ESP of a replaced disk
# (no /dev/disk/by-uuid link): proxmox-boot-tool refresh skips it with a
# warning. The node is applied -- the ESP that exists gets the new entries
# -- and the steps that publish through the ESPs name the one skipped.
. "$(dirname "$0")/lib.sh"
use_root esp-list-stale
apply
expect_ok_run

expect_status kernel_cmdline changed
for s in kernel_cmdline refresh; do
	msg_of $s | grep -qF "ESP 8F23-3F8E: /dev/disk/by-uuid/8F23-3F8E does not exist" ||
		fail "$s does not report the stale ESP: $(msg_of $s)"
	msg_of $s | grep -qF "8F22-7B5D" && fail "$s reports the ESP that exists: $(msg_of $s)"
done
l=$(first_line /etc/kernel/cmdline)
expect_tokens "$l" root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on
e=/var/lib/orch-fixture/esp/8F22-7B5D/loader/entries/proxmox-6.5.13-5-pve.conf
[[ $(sed -n 's/^options[[:space:]]*//p' "$(f $e)") == "$l" ]] ||
	fail "the systemd-boot entry on ESP 8F22-7B5D does not carry the new command line: $(cat "$(f $e)")"
expect_unchanged /etc/kernel/proxmox-boot-uuids
expect_status refresh changed
expect_ran "proxmox-boot-tool refresh" 1
