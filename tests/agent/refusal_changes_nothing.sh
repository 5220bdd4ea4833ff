#!/bin/bash
# A step that refuses fails the node with nothing changed on it, even when
# steps before it would have written: the agent runs the plan in check mode
# first and writes only when no step would fail. Here host_drivers (after
# kernel_cmdline, vfio_modules and vfio_bind, which would all change files)
# refuses to blacklist amdgpu, which the host's own RX 550 needs.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
plan --iommu-pt | jq '(.steps[] | select(.name == "host_drivers") | .args) = {"mode": "list", "drivers": ["amdgpu"]}' >"$T/plan.json"
run_agent "$T/plan.json"
expect_rc 1
expect_status host_drivers failed
grep -q '0000:0d:00.0' <<<"$(msg_of host_drivers)" || fail "the failure does not name the host's device: $(msg_of host_drivers)"
for s in kernel_cmdline vfio_modules vfio_bind; do
	expect_status "$s" skipped
	grep -q "step 'host_drivers' would fail" <<<"$(msg_of "$s")" || fail "$s does not say why it did not run: $(msg_of "$s")"
	[[ $(result "$s" | jq 'has("diff") or has("commands")') == false ]] || fail "$s reports a change it did not make"
done
expect_status facts ok
expect_status refresh skipped
[[ $(summary_field changed) == 0 ]] || fail "the summary counts changes"
[[ $(summary_field failed) == 1 ]] || fail "the summary does not count the failure"
expect_no_commands
expect_same_tree "$P" "$R"

# The same plan without the refusal changes the node.
plan --iommu-pt >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_status kernel_cmdline changed
