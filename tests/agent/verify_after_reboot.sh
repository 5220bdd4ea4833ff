#!/bin/bash
# The verify step after the reboot: on the node as it came back (IOMMU on, the
# GPU's functions on vfio-pci in a group of their own with their root port,
# the live command line carrying the configured one) it passes; on the node
# before (IOMMU off, nouveau) it fails and says why.
. "$(dirname "$0")/lib.sh"
verify_plan() {
	jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"verify","args":{"select":["01:00"]}}]}' \
		--arg r "$R" >"$T/plan.json"
}
use_root zfs-uefi-sdboot-rebooted
verify_plan
run_agent "$T/plan.json"
expect_ok_run
expect_status verify ok
expect_no_commands

use_root zfs-uefi-sdboot
verify_plan
run_agent "$T/plan.json"
expect_rc 1
expect_status verify failed
grep -qi 'iommu' <<<"$(msg_of verify)" || fail "the failure does not mention the IOMMU: $(msg_of verify)"
grep -q 'nouveau\|vfio-pci' <<<"$(msg_of verify)" || fail "the failure does not mention the driver: $(msg_of verify)"
