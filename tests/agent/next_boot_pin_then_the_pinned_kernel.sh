#!/bin/bash
# 6.5 pinned, and 6.8 tried once with `kernel pin 6.8.12-4-pve --next-boot`:
# 6.8 boots next, then the node goes back to the pinned 6.5, which does not
# turn VT-d on by itself. The IOMMU must hold on both: intel_iommu=on is
# added, and the message says which kernels boot in turn.
. "$(dirname "$0")/lib.sh"
use_root sdboot-pinned-6.5
for root in "$R" "$P"; do
	echo 6.8.12-4-pve >"$root/etc/kernel/next-boot-pin"
	publish_pins "$root"
done
apply
expect_ok_run

[[ $(kernel_fact target) == 6.8.12-4-pve ]] || fail "target kernel: $(kernel_fact target)"
[[ $(kernel_fact after_next_boot) == 6.5.13-5-pve ]] || fail "then: $(kernel_fact after_next_boot)"
expect_status kernel_cmdline changed
l=$(first_line /etc/kernel/cmdline)
expect_tokens "$l" intel_iommu=on
msg_of kernel_cmdline | grep -qF "kernel 6.8.12-4-pve boots once (/etc/kernel/next-boot-pin), then 6.5.13-5-pve" ||
	fail "the message does not name both kernels: $(msg_of kernel_cmdline)"
for k in 6.8.12-4-pve 6.5.13-5-pve; do
	[[ $(sdboot_options 8F22-7B5D $k) == "$l" ]] || fail "the $k entry has '$(sdboot_options 8F22-7B5D $k)'"
done
[[ $(sdboot_default 8F22-7B5D) == proxmox-6.8.12-4-pve.conf ]] || fail "ESP boots '$(sdboot_default 8F22-7B5D)'"
expect_second_apply_and_rollback
