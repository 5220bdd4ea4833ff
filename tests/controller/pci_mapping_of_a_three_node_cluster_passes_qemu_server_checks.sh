#!/bin/bash
# Three nodes of one cluster that verified, each passing its GPU through to
# mapping `gpu`: the apply writes one mapping, once, through the first node,
# with an entry for each node that qemu-server's check (assert_valid, run by
# each node's pvesh --check-node on its own sysfs) accepts.
source "$(dirname "$0")/lib.sh"
mapping_fleet 3

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
cfg=$T/pve/rack1/mapping/pci.cfg
[[ -f $cfg ]] || fail "no $cfg"
{
	echo gpu
	for h in node01 node02 node03; do
		printf '\tmap node=%s,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1\n' "$h"
	done
	echo
} >"$T/want.cfg"
assert_file_eq "$cfg" "$T/want.cfg"
assert_eq "pvesh create calls on node01" "$(logged node01 "pvesh create /cluster/mapping/pci --id gpu --map")" 1
assert_eq "pvesh calls on node02 and node03" "$(logged node02 pvesh)$(logged node03 pvesh)" 00
for h in node01 node02 node03; do
	assert_eq "$h's checks of mapping gpu" "$(check_node "$h" | jq -c '.[] | select(.id == "gpu") | .checks')" "[]"
	grep -q "^changed: \[$h\] pci_mapping: mapping 'gpu' created with the entries of node01, node02, node03" "$T/out" || fail "$h: no pci_mapping result"
done
echo "ok: one mapping, an entry per node that qemu-server accepts"
