#!/bin/bash
# Applying again changes nothing: 0 changed per host, files untouched.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
declare -A before
for h in "${HOSTS[@]}"; do
	before[$h]=$(tree_sum "${ROOT[$h]}")
done
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
for h in "${HOSTS[@]}"; do
	[[ $(recap "$h" changed) == 0 ]] || fail "$h: second apply says changed=$(recap "$h" changed)"
	[[ $(recap "$h" ok) -gt 0 ]] || fail "$h: second apply has no ok steps"
	[[ $(tree_sum "${ROOT[$h]}") == "${before[$h]}" ]] || fail "$h: files changed on the second apply"
done
! grep -q '^changed:' "$T/out" || fail "a 'changed:' line on the second apply"
echo "ok: second apply changed nothing"
