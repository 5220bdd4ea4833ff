#!/bin/bash
# kernel_cmdline takes intel_iommu=off out of /etc/default/grub; a node that
# boots without that refresh (or before it) still has it on the live command
# line. The verify names the option, not just the inactive IOMMU, so the
# admin sees the boot configuration was not refreshed. Before the apply the
# option is both configured and live: the verify does not blame the refresh.
. "$(dirname "$0")/lib.sh"
verify_plan() {
	jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"verify","args":{"select":["01:00"]}}]}' \
		--arg r "$R" >"$T/plan.json"
}
use_root grub-pinned-intel-off
grep -q ' intel_iommu=off' "$R/proc/cmdline" || fail "the fixture's live command line lacks intel_iommu=off"

verify_plan
run_agent "$T/plan.json"
expect_status verify failed
msg_of verify | grep -qF "'intel_iommu=off' is on the live command line" &&
	fail "an option still configured is blamed on the refresh: $(msg_of verify)"

apply
expect_ok_run
expect_status kernel_cmdline changed
verify_plan
run_agent "$T/plan.json"
expect_rc 1
expect_status verify failed
msg_of verify | grep -qF "'intel_iommu=off' is on the live command line but no longer configured (/etc/default/grub" ||
	fail "the verify does not name the live intel_iommu=off: $(msg_of verify)"
