#!/bin/bash
# SIGTERM (what systemd, a CI runner's timeout or `kill` sends) stops a
# rollout as SIGINT does: no other node starts its reboot, the text says
# where the rebooting node was and names the signal, and orch exits 18.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 2 zfs-uefi-sdboot
node_never_returns node01   # it reboots, and takes its time coming back
node_boots_configured node02

orch_in_background apply "$T/inventory.ini" "${KH[@]}"
until_calls node01 "systemctl reboot" 1
sleep 1
kill -TERM "$ORCH_PID"
orch_waited
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "node01 was not rebooted"
expect_rc 18
grep -Eq "^orch: node01 \([^)]*\): rebooting, waited [0-9]+ s for a new boot_id" "$T/out" ||
	fail "where node01 was is not said: $(grep "^orch:" "$T/out")"
grep -q "^skipping: \[node02\] reboot: not rebooted: SIGTERM stopped the rollout after batch 1" "$T/out" ||
	fail "node02 not reported skipped by SIGTERM: $(grep "node02" "$T/out")"
[[ $(calls node02 "systemctl reboot") == 0 ]] || fail "node02 rebooted after the signal"
echo "ok: SIGTERM stops the rollout as SIGINT does"
