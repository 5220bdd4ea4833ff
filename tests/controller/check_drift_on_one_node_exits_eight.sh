#!/bin/bash
# --check on a fleet where one node would change exits 8; that node alone is
# drift in the recap, the JSON document and the JUnit report, where its
# changed steps pass with the orch.status property "drift" (not <failure>).
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
PY=$(command -v /usr/bin/python3 python3 | head -n1)

orch apply "$T/inventory.ini" "${KH[@]}" -l 'node01,node03'
expect_rc 0
orch apply "$T/inventory.ini" "${KH[@]}" --check
expect_rc 8
grep -qx 'DRIFT: node02' "$T/out" || fail "the text report does not name node02 alone as drift"
orch_json apply "$T/inventory.ini" "${KH[@]}" --check --json --junit "$T/report.xml"
expect_rc 8
jq -e '.exit_status == 8 and .drift == ["node02"] and .hosts.node02.drift == true
	and .hosts.node01.drift == false and .hosts.node03.drift == false' "$T/out.json" >/dev/null ||
	fail "the JSON document does not show drift on node02 alone"
"$PY" - "$T/report.xml" "$T/out.json" <<'PYEOF' || fail "the JUnit report does not show drift on node02 alone"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[2]))
assert int(root.get("failures")) == 0 and int(root.get("errors")) == 0, "drift counted as failure or error"
for suite in root.findall("testsuite"):
    host = suite.get("name")
    props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    steps = {s["name"]: s for s in doc["hosts"][host]["steps"]}
    changed = [n for n, s in steps.items() if s["status"] == "changed"]
    drift = [c for c in suite.findall("testcase")
             if c.find("properties/property[@name='orch.status'][@value='drift']") is not None]
    assert int(props["orch.drift"]) == len(drift), (host, props)
    if host == "node02":
        assert changed and sorted(c.get("name") for c in drift) == sorted(changed), (changed, drift)
        for c in drift:
            assert c.find("failure") is None and c.find("error") is None
            out = c.find("system-out").text
            assert out == "drift: " + steps[c.get("name")]["msg"], out
    else:
        assert not drift and not changed, (host, changed)
PYEOF
echo "ok: one node that would change: exit 8, drift on it alone"
