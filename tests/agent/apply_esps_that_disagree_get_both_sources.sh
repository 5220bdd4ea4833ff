#!/bin/bash
# One ESP boots GRUB next (`proxmox-boot-tool init <esp> grub` was run on it
# alone), the other systemd-boot: the firmware may start either, so the
# options go where each reads them -- the first line of /etc/kernel/cmdline
# and orch's GRUB drop-in -- and the one proxmox-boot-tool refresh publishes
# both: the systemd-boot entries on one ESP, grub.cfg on the other.
. "$(dirname "$0")/lib.sh"
use_root esps-disagree
apply --iommu-pt
expect_ok_run

expect_status kernel_cmdline changed
for file in /etc/kernel/cmdline /etc/default/grub.d/orch.cfg; do
	msg_of kernel_cmdline | grep -qF "$file" || fail "the message does not name $file: $(msg_of kernel_cmdline)"
done
l=$(first_line /etc/kernel/cmdline)
expect_tokens "$l" root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt
expect_line /etc/default/grub.d/orch.cfg \
	'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt"'
expect_unchanged /etc/default/grub
expect_unchanged /etc/default/grub.d/zfs.cfg

# what the next boot applies, whichever ESP the firmware starts
e=/var/lib/orch-fixture/esp/8F22-7B5D/loader/entries/proxmox-6.5.13-5-pve.conf
[[ $(sed -n 's/^options[[:space:]]*//p' "$(f $e)") == "$l" ]] ||
	fail "the systemd-boot entry on ESP 8F22-7B5D does not carry the new command line: $(cat "$(f $e)")"
g=$(grub_linux_line /var/lib/orch-fixture/esp/8F23-3F8E/grub/grub.cfg)
expect_tokens "$g" /vmlinuz-6.5.13-5-pve boot=zfs quiet intel_iommu=on iommu=pt
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-grub" 0
