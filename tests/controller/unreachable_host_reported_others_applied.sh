#!/bin/bash
# A host whose port is closed is reported unreachable (exit 4); the others are
# applied all the same.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
stop_sshd node02

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 4
grep -q "^fatal: \[node02\]: UNREACHABLE! => .*127.0.0.1:${PORT[node02]}" "$T/out" || fail "no UNREACHABLE line for node02"
[[ $(recap node02 unreachable) == 1 ]] || fail "node02: recap unreachable != 1"
for h in node01 node03; do
	[[ $(recap "$h" unreachable) == 0 && $(recap "$h" failed) == 0 ]] || fail "$h: not applied"
	[[ $(recap "$h" changed) -gt 0 ]] || fail "$h: nothing changed"
done
echo "ok: unreachable host reported, others applied"
