#!/bin/bash
# --check reports what would change and changes nothing on the node; the
# exit status says the nodes would change (8).
source "$(dirname "$0")/lib.sh"
fleet_with_work 2

orch apply "$T/inventory.ini" "${KH[@]}" --check --diff
expect_rc 8   # the nodes would change: drift
for h in "${HOSTS[@]}"; do
	[[ $(recap "$h" changed) -gt 0 ]] || fail "$h: --check reports nothing that would change"
	[[ $(tree_sum "${ROOT[$h]}") == "$(pristine_sum "$h")" ]] || fail "$h: --check changed the node's files"
done
grep -q '^+' "$T/out" || fail "--diff shows no added line"
echo "ok: --check changed nothing"
