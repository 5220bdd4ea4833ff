#!/bin/bash
# Several INVENTORY arguments, options among them, are read in order as
# `ansible-inventory -i A -i B` reads them: every host of each is applied,
# and `orch inventory A B --list` prints what ansible-inventory prints.
source "$(dirname "$0")/lib.sh"
command -v ansible-inventory >/dev/null || { echo "skip: no ansible-inventory" >&2; exit 77; }
export HOME=$T/home ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_NOCOLOR=1
fleet 2
# node01 in a.ini, node02 in b.ini, each with the [nodes:vars] block.
grep -v '^node02 ' "$T/inventory.ini" >"$T/a.ini"
grep -v '^node01 ' "$T/inventory.ini" >"$T/b.ini"

orch inventory "$T/a.ini" "$T/b.ini" --list
if [[ $RC == 1 ]] && grep -q 'only one inventory source is read' "$T/out"; then
	echo "skip: this orch reads one inventory source" >&2
	exit 77
fi
expect_rc 0
jq -S . "$T/out" >"$T/orch.json"
ansible-inventory -i "$T/a.ini" -i "$T/b.ini" --list | jq -S . >"$T/ansible.json"
diff -u "$T/ansible.json" "$T/orch.json" >&2 || fail "orch inventory A B --list differs from ansible-inventory -i A -i B"

orch apply "$T/a.ini" "${KH[@]}" "$T/b.ini" -f 2
expect_rc 0
for h in node01 node02; do
	[[ $(recap "$h" ok) -gt 0 ]] || fail "$h of $(basename "$T")/${h/node01/a.ini} was not applied"
done
grep -qF "PLAY [orch apply $T/a.ini $T/b.ini]" "$T/out" || fail "the banner does not name both sources"
echo "ok: several inventories, every host applied"
