#!/bin/bash
# On a node up for weeks the ring buffer has lost the boot's IOMMU lines;
# sysfs (/sys/class/iommu, the groups) still says the IOMMU is on, and the
# facts follow sysfs, with no stale log lines reported.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
grep -q 'DMAR' "$R/dev/kmsg" && fail "fixture: the kernel log still has DMAR lines"
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
result facts | jq -e '.facts.iommu.active == true' >/dev/null || fail "IOMMU not active: $(result facts | jq -c .facts.iommu)"
result facts | jq -e '.facts.kernel_log | map(select(test("DMAR|AMD-Vi"))) | length == 0' >/dev/null ||
	fail "IOMMU log lines reported that the log does not have"
result facts | jq -e '.facts.devices[] | select(.address == "0000:02:00.0") | .iommu_group == 8' >/dev/null ||
	fail "0000:02:00.0 not in IOMMU group 8"
