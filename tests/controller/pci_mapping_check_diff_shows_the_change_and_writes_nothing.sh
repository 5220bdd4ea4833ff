#!/bin/bash
# --check --diff: the mapping the apply would write is shown as the change
# of /etc/pve/mapping/pci.cfg, reported as drift; nothing is written and no
# pvesh runs.
source "$(dirname "$0")/lib.sh"
mapping_fleet 2

orch apply "$T/inventory.ini" "${KH[@]}" --check --diff
expect_rc 8
assert_contains "the diff" "$(cat "$T/out")" $'+++ /etc/pve/mapping/pci.cfg\n@@ -0,0 +1,4 @@\n+gpu\n+\tmap node=node01,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1\n+\tmap node=node02,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1'
grep -q "^changed: \[node01\] pci_mapping: mapping 'gpu' created" "$T/out" || fail "not reported changed"
[[ ! -e $T/pve/rack1/mapping/pci.cfg ]] || fail "pci.cfg written under --check"
assert_eq "pvesh calls" "$(logged node01 pvesh)$(logged node02 pvesh)" 00
echo "ok: --check --diff showed the mapping and wrote nothing"
