#!/bin/bash
# orch facts prints a row per node and one per selected device; --json has
# the same facts; nothing on the node changes.
source "$(dirname "$0")/lib.sh"
fleet_with_work 2

orch_json facts "$T/inventory.ini" "${KH[@]}" --json
expect_rc 0
jq -e . "$T/out.json" >/dev/null || fail "facts --json does not parse"
orch facts "$T/inventory.ini" "${KH[@]}"
expect_rc 0
head -n1 "$T/out" | grep -q '^HOST *LOADER *KERNEL *IOMMU *IRQ-REMAP *REBOOT-PENDING' || fail "no table header"
for h in "${HOSTS[@]}"; do
	loader=$(jq -r --arg h "$h" '.hosts[$h].facts.boot.loader' "$T/out.json")
	kernel=$(jq -r --arg h "$h" '.hosts[$h].facts.kernel.running' "$T/out.json")
	grep -q "^$h  *$loader  *$kernel " "$T/out" || fail "$h: row does not show loader '$loader' and kernel '$kernel'"
	n=$(jq -r --arg h "$h" '.hosts[$h].selected | length' "$T/out.json")
	((n > 0)) || fail "$h: no device selected by passthrough=${PASSTHROUGH[$h]}"
	for a in $(jq -r --arg h "$h" '.hosts[$h].selected[].address' "$T/out.json"); do
		grep -q "^  $a .* group " "$T/out" || fail "$h: no row for device $a"
	done
	[[ $(tree_sum "${ROOT[$h]}") == "$(pristine_sum "$h")" ]] || fail "$h: facts changed the node"
done
echo "ok: facts"
