#!/bin/bash
# The nodes of mapping gpu are not of one cluster: the mapping fails by
# name on each of them, and neither cluster's /etc/pve gets a pci.cfg.
source "$(dirname "$0")/lib.sh"
mapping_fleet 3
cluster_of rack2 node03

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
for h in node01 node02 node03; do
	grep -q "^fatal: \[$h\]: FAILED! => pci_mapping: mapping 'gpu' not written: its nodes are not of one cluster: node01 is in cluster 'rack1', node03 in 'rack2'" "$T/out" ||
		fail "$h: the mapping did not fail by name"
	assert_eq "pvesh calls on $h" "$(logged "$h" pvesh)" 0
done
[[ ! -e $T/pve/rack1/mapping/pci.cfg && ! -e $T/pve/rack2/mapping/pci.cfg ]] || fail "a pci.cfg was written"
echo "ok: a mapping across two clusters failed by name, nothing written"
