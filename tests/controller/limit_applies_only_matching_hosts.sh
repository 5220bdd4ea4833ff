#!/bin/bash
# --limit restricts the run to the hosts its pattern matches.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3

orch apply "$T/inventory.ini" "${KH[@]}" --limit 'nodes:!node01:!node03'
expect_rc 0
[[ $(recap node02 changed) -gt 0 ]] || fail "node02 not applied"
for h in node01 node03; do
	! grep -q "\[$h\]\|^$h " "$T/out" || fail "$h appears in a run limited to node02"
	[[ $(tree_sum "${ROOT[$h]}") == "$(pristine_sum "$h")" ]] || fail "$h: changed"
	[[ $(agent_stamp "$h") == none ]] || fail "$h: contacted"
done
orch apply "$T/inventory.ini" "${KH[@]}" -l nosuchhost
expect_rc 1
echo "ok: --limit"
