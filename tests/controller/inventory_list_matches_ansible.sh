#!/bin/bash
# orch inventory --list prints what ansible-inventory --list prints for the
# same files (smoke test; tests/inventory compares in depth).
source "$(dirname "$0")/lib.sh"
command -v ansible-inventory >/dev/null || { echo "skip: no ansible-inventory" >&2; exit 77; }
export HOME=$T/home ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_INVENTORY_ENABLED=ini ANSIBLE_NOCOLOR=1
for inv in "$(dirname "$0")"/inventories/*.ini; do
	orch inventory "$inv" --list
	expect_rc 0
	jq -S . "$T/out" >"$T/orch.json" || fail "$inv: orch output is not JSON"
	ansible-inventory -i "$inv" --list 2>"$T/ansible.err" | jq -S . >"$T/ansible.json" ||
		fail "$inv: ansible-inventory failed: $(cat "$T/ansible.err")"
	diff -u "$T/ansible.json" "$T/orch.json" >&2 || fail "$(basename "$inv"): differs from ansible-inventory"
	echo "same: $(basename "$inv")"
done
