#!/bin/bash
# The admin's /etc/default/grub says GRUB_CMDLINE_LINUX_DEFAULT="quiet
# intel_iommu=off". Appending intel_iommu=on would win on the line, but a
# kernel that defaults on would still keep the off, and orch owns the IOMMU
# options: the token is taken out of that line in place (the rest of the
# file untouched), reported with its file:line, and the next boot's line has
# no intel_iommu=off.
. "$(dirname "$0")/lib.sh"
use_root grub-pinned-intel-off
apply
expect_ok_run

expect_status kernel_cmdline changed
msg_of kernel_cmdline | grep -qF "removed 'intel_iommu=off' from /etc/default/grub:9" ||
	fail "the removal is not reported with its file:line: $(msg_of kernel_cmdline)"
diff <(sed 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=off"$/GRUB_CMDLINE_LINUX_DEFAULT="quiet"/' "$P/etc/default/grub") \
	"$(f /etc/default/grub)" >/dev/null || fail "/etc/default/grub is not the original minus the token:
$(diff -u "$P/etc/default/grub" "$(f /etc/default/grub)")"
for k in 6.5.13-5-pve 6.8.12-4-pve; do
	expect_no_token "$(grub_entry_line /boot/grub/grub.cfg $k)" 'intel_iommu=off'
done
expect_second_apply_and_rollback
