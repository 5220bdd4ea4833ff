#!/bin/bash
# Once the mapping holds each node's entry, a second apply finds it equal:
# pci_mapping ok on every node, no pvesh run, pci.cfg the same bytes.
source "$(dirname "$0")/lib.sh"
mapping_fleet 3

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
cfg=$T/pve/rack1/mapping/pci.cfg
cp "$cfg" "$T/first.cfg"
for h in "${HOSTS[@]}"; do
	: >"${ROOT[$h]}/var/log/orch-fixture/commands.log"
done

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
assert_file_eq "$cfg" "$T/first.cfg"
for h in "${HOSTS[@]}"; do
	assert_eq "pvesh calls on $h" "$(logged "$h" pvesh)" 0
	grep -q "^ok: \[$h\] pci_mapping: mapping 'gpu' has the entries of the 3 nodes of this run" "$T/out" ||
		fail "$h: pci_mapping not ok"
	assert_eq "changed steps of $h" "$(recap "$h" changed)" 0
done
echo "ok: the second apply found the mapping equal and ran no pvesh"
