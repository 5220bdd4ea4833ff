#!/bin/bash
# The reboot step starts `systemctl reboot` from the root's own command dirs,
# detached: the agent's answer is complete and the command runs once.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"reboot","args":{"allow_guests":false}}]}' \
	--arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
[[ $(status_of reboot) == changed ]] || fail "reboot step is $(status_of reboot)"
for _ in $(seq 50); do
	[[ $(ran "systemctl reboot") == 1 ]] && break
	sleep 0.1
done
expect_ran "systemctl reboot" 1
