#!/bin/bash
# The reboot step does not take running guests down unless allowed: with a
# VM and a container running it fails, naming them, and systemctl never runs.
. "$(dirname "$0")/lib.sh"
use_root zfs-secureboot-grub
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"reboot","args":{"allow_guests":false}}]}' \
	--arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_rc 1
expect_status reboot failed
m=$(msg_of reboot)
grep -q 'qm 100' <<<"$m" && grep -q 'pct 200' <<<"$m" || fail "the refusal does not name the running guests: $m"
sleep 1
expect_ran "systemctl reboot" 0
