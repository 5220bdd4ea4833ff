#!/bin/bash
# A root whose empty directories are gone (no /sys/class/iommu on an
# IOMMU-off node, no holders/ dirs), as a copy that keeps only files and
# links has it: the agent reads it the same.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
[[ -d $R/sys/class/iommu ]] || fail "setup: the root has no empty /sys/class/iommu"
find "$R" -mindepth 1 -type d -empty -delete
[[ ! -e $R/sys/class/iommu ]] || fail "setup: /sys/class/iommu still there"
apply
expect_ok_run
result facts | jq -e '.facts.iommu.active == false' >/dev/null || fail "IOMMU reported active"
expect_status kernel_cmdline changed
expect_tokens "$(first_line /etc/kernel/cmdline)" intel_iommu=on
