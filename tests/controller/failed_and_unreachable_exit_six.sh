#!/bin/bash
# Exit status: 2 for a failed host, 4 for an unreachable one, 6 for both.
source "$(dirname "$0")/lib.sh"
fleet 3
write_inventory
sed -i "s|^node01 .*|& passthrough=0000:fe:1f.7|" "$T/inventory.ini"   # matches no device
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
[[ $(recap node01 failed) -ge 1 ]] || fail "node01 did not fail"
grep -q '^fatal: \[node01\]: FAILED! => devices: ' "$T/out" || fail "no failed devices step for node01"
stop_sshd node03
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 6
[[ $(recap node02 failed) == 0 && $(recap node02 unreachable) == 0 ]] || fail "node02 affected"
echo "ok: exit status 2, 6"
