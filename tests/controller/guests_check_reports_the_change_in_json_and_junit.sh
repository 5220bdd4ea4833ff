#!/bin/bash
# Under --check the guests step runs in check mode: the VM is not changed,
# the step is `changed` (drift) in the text, in --json with the line --diff
# shows, and a testcase of the host in --junit.
source "$(dirname "$0")/lib.sh"
PY=$(command -v /usr/bin/python3 python3 | head -n1)
fleet 1 zfs-uefi-sdboot
PASSTHROUGH[node01]=01:00
R1=${ROOT[node01]}
cluster_of rack1 node01
# the mapping the cluster already has (a first apply wrote it)
printf 'gpu\n\tmap node=node01,path=0000:01:00,id=10de:1b81,iommugroup=1\n' >"$R1/etc/pve/mapping/pci.cfg"
conf=$R1/etc/pve/nodes/node01/qemu-server/100.conf
cp "$conf" "$T/100.conf"
write_inventory pci_mapping=gpu pci_guests=100
orch_json apply "$T/inventory.ini" "${KH[@]}" --check --diff --json --junit "$T/report.xml"
expect_rc 8
cmp -s "$T/100.conf" "$conf" || fail "--check changed 100.conf"
! grep -q "^qm set" "$R1/var/log/orch-fixture/commands.log" || fail "--check ran qm set"
jq -e '.hosts.node01.steps | map(select(.name == "guests")) | length == 1 and .[0].status == "changed"
	and (.[0].diff[0].unified | contains("\n+hostpci0: mapping=gpu,pcie=1\n"))' "$T/out.json" >/dev/null ||
	fail "no changed guests step with its diff in --json: $(jq -c '.hosts.node01.steps[-1]' "$T/out.json")"
"$PY" - "$T/report.xml" <<'PYEOF' || fail "no guests testcase in the JUnit report"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = [c for c in root.iter("testcase") if c.get("name") == "guests"]
assert len(cases) == 1 and cases[0].get("classname") == "node01", cases
assert cases[0].find("failure") is None and cases[0].find("error") is None
PYEOF
echo "ok: the guests change under --check in --json and --junit"
