#!/bin/bash
# --junit writes one testcase per host and step, unreachable hosts included,
# with counts that match the run (checked against its --json document).
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
stop_sshd node02
PY=$(command -v /usr/bin/python3 python3 | head -n1)

orch_json apply "$T/inventory.ini" "${KH[@]}" --json --junit "$T/report.xml"
expect_rc 4
"$PY" - "$T/report.xml" "$T/out.json" <<'PYEOF' || fail "the JUnit report does not match the run"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[2]))
assert root.tag == "testsuites", root.tag
suites = {s.get("name"): s for s in root.findall("testsuite")}
assert sorted(suites) == sorted(doc["hosts"]), (sorted(suites), sorted(doc["hosts"]))
total = 0
plan_steps = None
for name, host in doc["hosts"].items():
    cases = suites[name].findall("testcase")
    assert all(c.get("classname") == name for c in cases)
    total += len(cases)
    kinds = [(c.find("failure") is not None, c.find("error") is not None, c.find("skipped") is not None) for c in cases]
    for attr, idx in (("failures", 0), ("errors", 1), ("skipped", 2)):
        assert int(suites[name].get(attr)) == sum(k[idx] for k in kinds), (name, attr)
    assert int(suites[name].get("tests")) == len(cases)
    if host["status"] == "unreachable":
        assert cases and all(k[1] for k in kinds), "unreachable host: every step is an error"
        assert host["msg"] in cases[0].find("error").get("message")
    else:
        steps = [s["name"] for s in host["steps"]]
        assert [c.get("name") for c in cases] == steps, ([c.get("name") for c in cases], steps)
        for c, s in zip(cases, host["steps"]):
            assert (c.find("failure") is not None) == (s["status"] == "failed")
            assert (c.find("skipped") is not None) == (s["status"] == "skipped")
        plan_steps = len(steps)
assert plan_steps and len(suites["node02"].findall("testcase")) == plan_steps, "unreachable host has one case per planned step"
assert int(root.get("tests")) == total
assert int(root.get("errors")) == plan_steps
PYEOF
echo "ok: --junit matches the run"
