#!/bin/bash
# PVE 8.2 on Intel with 6.8 installed and 6.5 pinned (`proxmox-boot-tool
# kernel pin 6.5.13-5-pve`): the pinned kernel boots next, and it does not
# turn VT-d on by itself, so intel_iommu=on goes into /etc/kernel/cmdline
# although the newest kernel would not need it. The refresh publishes it in
# the pinned kernel's entry, which loader.conf boots. 6.5 is past 6.0: no
# initcall_blacklist=sysfb_init for the boot GPU's framebuffer.
. "$(dirname "$0")/lib.sh"
use_root sdboot-pinned-6.5
apply
expect_ok_run

[[ $(kernel_fact target) == 6.5.13-5-pve ]] || fail "target kernel: $(kernel_fact target)"
[[ $(kernel_fact target_from) == /etc/kernel/proxmox-boot-pin ]] || fail "decided by: $(kernel_fact target_from)"
[[ $(result facts | jq -c .facts.kernel.installed) == '["6.8.12-4-pve","6.5.13-5-pve"]' ]] ||
	fail "installed kernels: $(result facts | jq -c .facts.kernel.installed)"
expect_status kernel_cmdline changed
l=$(first_line /etc/kernel/cmdline)
[[ $l == "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on" ]] || fail "/etc/kernel/cmdline: '$l'"
msg_of kernel_cmdline | grep -qF "kernel 6.5.13-5-pve from /etc/kernel/proxmox-boot-pin" ||
	fail "the message does not say which kernel decided: $(msg_of kernel_cmdline)"

# what the next boot applies: the pinned entry, with the new line
for esp in 8F22-7B5D 8F23-3F8E; do
	[[ $(sdboot_default $esp) == proxmox-6.5.13-5-pve.conf ]] || fail "ESP $esp boots '$(sdboot_default $esp)'"
	[[ $(sdboot_options $esp 6.5.13-5-pve) == "$l" ]] ||
		fail "the pinned entry on ESP $esp has '$(sdboot_options $esp 6.5.13-5-pve)'"
done
expect_second_apply_and_rollback
