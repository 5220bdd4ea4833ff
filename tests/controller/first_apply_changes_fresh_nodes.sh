#!/bin/bash
# A first apply on fresh nodes changes each of them, and the change is on disk.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
for h in "${HOSTS[@]}"; do
	changed=$(recap "$h" changed)
	[[ -n $changed && $changed -gt 0 ]] || fail "$h: PLAY RECAP says changed='$changed' on a fresh node"
	[[ $(recap "$h" failed) == 0 && $(recap "$h" unreachable) == 0 ]] || fail "$h: not clean"
	[[ $(agent_stamp "$h") != none ]] || fail "$h: no agent in its /var/lib/orch/bin"
	[[ $(tree_sum "${ROOT[$h]}") != "$(pristine_sum "$h")" ]] || fail "$h: the node's files did not change"
done
grep -q "^changed: \[node01\]" "$T/out" || fail "no 'changed: [node01]' line"
echo "ok: first apply changed ${#HOSTS[@]} nodes"
