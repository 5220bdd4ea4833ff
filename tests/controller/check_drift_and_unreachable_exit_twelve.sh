#!/bin/bash
# --check with one node that would change and one unreachable exits 12
# (8 + 4): the bits add up.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3

orch apply "$T/inventory.ini" "${KH[@]}" -l node01
expect_rc 0
stop_sshd node03
orch_json apply "$T/inventory.ini" "${KH[@]}" --check --json
expect_rc 12
jq -e '.exit_status == 12 and .drift == ["node02"] and .hosts.node03.status == "unreachable"
	and .hosts.node03.drift == false and .hosts.node01.drift == false' "$T/out.json" >/dev/null ||
	fail "the JSON document does not show node02 in drift and node03 unreachable"
echo "ok: drift and an unreachable node: exit 12"
