#!/bin/bash
# PVE 7.4 (kernel 5.15) set up by hand: /etc/kernel/cmdline already has
# intel_iommu=on,igfx_off, initcall_blacklist=acpi_cpufreq_init and an
# amd_iommu=on on this Intel box. The boot GPU's framebuffer (efifb in
# /proc/iomem) lies in the GTX 1070's BAR and 5.15 is before 6.0, so
# sysfb_init must be blacklisted: it joins the admin's list. igfx_off stays,
# intel_iommu=on is not written twice, amd_iommu=on is left and reported as
# doing nothing.
. "$(dirname "$0")/lib.sh"
use_root pve7-sdboot-admin-tokens
apply
expect_ok_run

[[ $(result facts | jq '.facts.devices[] | select(.address == "0000:01:00.0") | .bootfb') == true ]] ||
	fail "the efifb region is not seen in the GPU's BAR"
expect_status kernel_cmdline changed
l=$(first_line /etc/kernel/cmdline)
[[ $l == "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on,igfx_off initcall_blacklist=acpi_cpufreq_init,sysfb_init amd_iommu=on" ]] ||
	fail "/etc/kernel/cmdline: '$l'"
msg_of kernel_cmdline | grep -qF "amd_iommu=on (/etc/kernel/cmdline:1) has no effect" ||
	fail "amd_iommu=on is not reported: $(msg_of kernel_cmdline)"
for esp in 8F22-7B5D 8F23-3F8E; do
	[[ $(sdboot_options $esp 5.15.143-1-pve) == "$l" ]] || fail "the entry on ESP $esp has '$(sdboot_options $esp 5.15.143-1-pve)'"
done
expect_second_apply_and_rollback
