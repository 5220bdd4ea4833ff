#!/bin/bash
# node02 says its cluster is not quorate (/etc/pve is read-only then): the
# mapping fails by name and nothing is written.
source "$(dirname "$0")/lib.sh"
mapping_fleet 3
not_quorate node02

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
for h in node01 node02 node03; do
	grep -q "^fatal: \[$h\]: FAILED! => pci_mapping: mapping 'gpu' not written: node02: cluster 'rack1' is not quorate" "$T/out" ||
		fail "$h: the mapping did not fail by name"
	assert_eq "pvesh calls on $h" "$(logged "$h" pvesh)" 0
done
[[ ! -e $T/pve/rack1/mapping/pci.cfg ]] || fail "pci.cfg was written"
echo "ok: no quorum, the mapping failed by name, nothing written"
