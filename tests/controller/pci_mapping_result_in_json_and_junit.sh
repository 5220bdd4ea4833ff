#!/bin/bash
# The pci_mapping result of each host is in the --json document and the
# --junit file like every step.
source "$(dirname "$0")/lib.sh"
mapping_fleet 2

orch_json apply "$T/inventory.ini" "${KH[@]}" --json --junit "$T/junit.xml"
expect_rc 0
for h in node01 node02; do
	jq -e --arg h "$h" '.hosts[$h].steps[] | select(.name == "pci_mapping" and .status == "changed")
		| .msg | startswith("mapping '"'gpu'"' created with the entries of node01, node02")' "$T/out.json" >/dev/null ||
		fail "$h: no pci_mapping in the JSON document"
	grep -q "<testcase classname=\"$h\" name=\"pci_mapping\"" "$T/junit.xml" || fail "$h: no pci_mapping testcase"
done
jq -e '.hosts.node01.steps[] | select(.name == "pci_mapping") | .commands[0].argv[0:3] == ["pvesh", "create", "/cluster/mapping/pci"]' \
	"$T/out.json" >/dev/null || fail "the writer's result lacks the pvesh command"
echo "ok: pci_mapping in the JSON document and the JUnit file"
