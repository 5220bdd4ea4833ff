#!/bin/bash
# node02's entry was written for another card (10de:1b80, no subsystem ID,
# IOMMU group 5): qemu-server would refuse it at VM start. The apply
# replaces it with what node02 has now and says what differed.
source "$(dirname "$0")/lib.sh"
mapping_fleet 2
cfg=$T/pve/rack1/mapping/pci.cfg
printf 'gpu\n\tmap node=node01,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1\n\tmap node=node02,path=0000:01:00,id=10de:1b80,iommugroup=5\n\n' >"$cfg"
check_node node02 | jq -e '.[] | select(.id == "gpu") | .checks[0].message | contains("does not match for \u0027gpu\u0027 (10de:1b81 != 10de:1b80)")' >/dev/null ||
	fail "the stand-in accepts node02's old entry"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
grep -q "^changed: \[node01\] pci_mapping: mapping 'gpu' updated: node02: id 10de:1b80 -> 10de:1b81, subsystem-id none -> 1462:3302, iommugroup 5 -> 1$" "$T/out" ||
	fail "the difference is not reported"
grep -q "^changed: \[node02\] pci_mapping: mapping 'gpu' updated: node02: id 10de:1b80 -> 10de:1b81" "$T/out" ||
	fail "node02's result does not say it"
assert_eq "node02's checks" "$(check_node node02 | jq -c '.[] | select(.id == "gpu") | .checks')" "[]"
grep -q $'^\tmap node=node01,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1$' "$cfg" || fail "node01's entry lost"
echo "ok: the entry whose hardware changed was replaced, the difference reported"
