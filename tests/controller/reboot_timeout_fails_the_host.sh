#!/bin/bash
# A node that never comes back fails with a clear message once
# --reboot-timeout has passed, and the exit status says a host failed.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
node_never_returns node01

orch apply "$T/inventory.ini" "${KH[@]}" --reboot-timeout 6
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => reboot: did not come back with a new boot_id within 6 s" "$T/out" ||
	fail "no timeout message"
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "reboot not started once"
echo "ok: a node that never returns times out"
