#!/bin/bash
# orch rollback after an apply brings the node's files back to what they were.
source "$(dirname "$0")/lib.sh"
fleet_with_work 2
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
orch rollback "$T/inventory.ini" "${KH[@]}"
expect_rc 0
for h in "${HOSTS[@]}"; do
	[[ $(recap "$h" changed) -gt 0 ]] || fail "$h: rollback changed nothing"
	diff -r --exclude=orch "${PRISTINE_OF[$h]}/etc" "${ROOT[$h]}/etc" >&2 || fail "$h: /etc differs after rollback"
done
echo "ok: rollback"
