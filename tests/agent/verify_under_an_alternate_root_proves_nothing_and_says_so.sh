#!/bin/bash
# Under a plan's root the devices are not the running kernel's: verify opens
# nothing through VFIO, says so for each selected device and in its message,
# and passes on everything else it checks.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot-rebooted
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"verify","args":{"select":["01:00"]}}]}' \
	--arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_status verify ok
why="not proven: alternate root $R"
[[ $(result verify | jq -c '[.facts.vfio[] | [.address, .usable, .why]]') == \
	"$(jq -nc --arg w "$why" '[["0000:01:00.0", null, $w], ["0000:01:00.1", null, $w]]')" ]] ||
	fail "the vfio entries: $(result verify | jq -c .facts.vfio)"
grep -qF "VFIO $why" <<<"$(msg_of verify)" || fail "the message does not say: $(msg_of verify)"
grep -q 'usable through VFIO' <<<"$(msg_of verify)" && fail "the message claims a proof: $(msg_of verify)"
true
