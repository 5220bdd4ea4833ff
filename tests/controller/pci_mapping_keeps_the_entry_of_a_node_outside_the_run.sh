#!/bin/bash
# The mapping already has an entry for pve9, a node this run does not
# touch, and another mapping beside it: both stay as they are, and the
# run's nodes get theirs through `pvesh set` with the file's digest.
source "$(dirname "$0")/lib.sh"
mapping_fleet 2
cfg=$T/pve/rack1/mapping/pci.cfg
printf 'nic\n\tmap node=pve9,path=0000:03:00.0,id=8086:1572\n\tdescription the uplinks\n\ngpu\n\tmap node=pve9,path=0000:41:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=7\n\n' >"$cfg"
digest=$(sha1sum "$cfg" | cut -d' ' -f1)

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
printf 'nic\n\tmap node=pve9,path=0000:03:00.0,id=8086:1572\n\tdescription the uplinks\n\ngpu\n\tmap node=pve9,path=0000:41:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=7\n\tmap node=node01,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1\n\tmap node=node02,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1\n\n' >"$T/want.cfg"
assert_file_eq "$cfg" "$T/want.cfg"
assert_eq "pvesh set calls on node01" "$(logged node01 "pvesh set /cluster/mapping/pci/gpu .*--digest $digest$")" 1
grep -q "^changed: \[node01\] pci_mapping: mapping 'gpu' updated: node01: added; node02: added; kept the entries of pve9 (not in this run)" "$T/out" ||
	fail "the kept entry is not reported"
echo "ok: the entry of a node outside the run was kept"
