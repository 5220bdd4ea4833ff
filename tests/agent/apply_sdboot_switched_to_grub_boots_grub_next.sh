#!/bin/bash
# A ZFS node on UEFI that ran systemd-boot and was readied for Secure Boot
# with `proxmox-boot-tool init <esp> grub` on both ESPs, not rebooted yet:
# systemd-boot runs now (LoaderInfo set, no BOOT_IMAGE=), GRUB boots next.
# The options go into orch's GRUB drop-in, which the next boot reads, and
# proxmox-boot-tool refresh regenerates each ESP's grub.cfg with them;
# /etc/kernel/cmdline and the systemd-boot entries left on the ESPs, which
# nothing boots any more, stay as they are.
. "$(dirname "$0")/lib.sh"
use_root sdboot-grub-secureboot
apply --iommu-pt
expect_ok_run

expect_status kernel_cmdline changed
msg_of kernel_cmdline | grep -qF /etc/default/grub.d/orch.cfg || fail "the message does not name the drop-in: $(msg_of kernel_cmdline)"
expect_line /etc/default/grub.d/orch.cfg \
	'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt"'
expect_unchanged /etc/kernel/cmdline
expect_unchanged /etc/default/grub
expect_unchanged /etc/default/grub.d/zfs.cfg

# what the next boot applies: the grub.cfg on each ESP
for esp in 8F22-7B5D 8F23-3F8E; do
	l=$(grub_linux_line /var/lib/orch-fixture/esp/$esp/grub/grub.cfg)
	expect_tokens "$l" /vmlinuz-6.5.13-5-pve boot=zfs quiet intel_iommu=on iommu=pt
	tokens "$l" | grep -qx root=ZFS=rpool/ROOT/pve-1 || fail "no root= in '$l' on ESP $esp"
	for c in /var/lib/orch-fixture/esp/$esp/loader/entries/proxmox-6.5.13-5-pve.conf; do
		expect_unchanged "$c"
	done
done
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-grub" 0
[[ $(summary_field reboot_pending) == true ]] || fail "no reboot pending after a changed command line"
