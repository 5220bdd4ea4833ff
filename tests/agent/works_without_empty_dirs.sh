#!/bin/bash
# A git checkout has no empty directories (no /sys/class/iommu on an
# IOMMU-off node, no holders/ dirs): the agent reads such a root the same.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
rm -rf "$T/root"
cp -a "$FIXTURES/$FIX" "$T/root"
find "$T/root" -mindepth 1 -type d -empty -delete
apply
expect_ok_run
result facts | jq -e '.facts.iommu.active == false' >/dev/null || fail "IOMMU reported active"
expect_status kernel_cmdline changed
expect_tokens "$(first_line /etc/kernel/cmdline)" intel_iommu=on
