#!/bin/bash
# --check on a fleet that has nothing left to change exits 0: no drift in
# the recap, the JSON document or the JUnit report.
source "$(dirname "$0")/lib.sh"
fleet_with_work 2

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
orch apply "$T/inventory.ini" "${KH[@]}" --check
expect_rc 0
! grep -q '^DRIFT:' "$T/out" || fail "a converged fleet is reported as drift"
orch_json apply "$T/inventory.ini" "${KH[@]}" --check --json --junit "$T/report.xml"
expect_rc 0
jq -e '.exit_status == 0 and .drift == [] and ([.hosts[].drift] | all | not) and ([.hosts[].drift] | length == 2)' \
	"$T/out.json" >/dev/null || fail "the JSON document shows drift on a converged fleet"
grep -q 'name="orch.drift" value="0"' "$T/report.xml" || fail "the JUnit suites do not count 0 drift"
! grep -q 'value="drift"' "$T/report.xml" || fail "a JUnit testcase of a converged fleet is marked drift"
echo "ok: a converged fleet under --check exits 0"
