#!/bin/bash
# The plan goes on the agent's command line (docs/controller.md, "Round
# trips"): a host whose plan is longer than orch sends (here, thousands of
# host drivers) is refused before any node is contacted, named, with its
# size; the others' plans are not sent either.
source "$(dirname "$0")/lib.sh"
fleet_with_work 2
drivers=$(printf 'drv%05d,' $(seq 1 9000))
sed -i "s/^node01 .*/& host_drivers=${drivers%,}/" "$T/inventory.ini"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 1
grep -q "^orch: the plan of host 'node01' is [0-9]* bytes: more than the 65536 orch sends a node$" "$T/out" ||
	fail "no message naming the host and its plan's size"
for h in "${HOSTS[@]}"; do
	[[ $(tree_sum "${ROOT[$h]}") == $(pristine_sum "$h") ]] || fail "$h changed"
	[[ ! -e ${ROOT[$h]}/var/lib/orch ]] || fail "$h was contacted"
done
echo "ok: a plan too long for the command line is refused before any node"
