#!/bin/bash
# node02's passthrough names a slot it does not have: node02 fails (its
# devices step names the selector), its pci_mapping says why it gives no
# entry, and its existing entry is kept; the others' entries are written.
source "$(dirname "$0")/lib.sh"
mapping_fleet 3
PASSTHROUGH[node02]=02:00
write_inventory "pci_mapping=gpu"
cfg=$T/pve/rack1/mapping/pci.cfg
printf 'gpu\n\tmap node=node02,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1\n\n' >"$cfg"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[node02\]: FAILED! => devices: selector '02:00' matches no PCI device" "$T/out" || fail "node02's devices step does not name the selector"
grep -q "^skipping: \[node02\] pci_mapping: no entry in mapping 'gpu' from this run: the host failed; its entry is kept as it is" "$T/out" ||
	fail "node02's pci_mapping does not say why"
grep -q $'^\tmap node=node02,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1$' "$cfg" || fail "node02's entry lost"
for h in node01 node03; do
	grep -q $'^\tmap node='$h',path=0000:01:00,' "$cfg" || fail "$h has no entry"
done
echo "ok: the node without the device gave no entry, the others did"
