#!/bin/bash
# pvesh fails on the writer (pmxcfs's lock times out): the mapping fails by
# name on each of its nodes, with pvesh's words, and pci.cfg is unchanged
# byte for byte.
source "$(dirname "$0")/lib.sh"
mapping_fleet 2
cfg=$T/pve/rack1/mapping/pci.cfg
printf '# kept by hand\ngpu\n\tmap node=node02,path=0000:01:00,id=10de:1b80\n\n' >"$cfg"
cp "$cfg" "$T/before.cfg"
echo "cfs-lock 'file-mapping_pci' error: got lock request timeout" >"${ROOT[node01]}/var/lib/orch-fixture/pvesh-fails"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
assert_eq "pvesh set calls on node01" "$(logged node01 "pvesh set /cluster/mapping/pci/gpu")" 1
for h in node01 node02; do
	grep -q "^fatal: \[$h\]: FAILED! => pci_mapping: mapping 'gpu' not written: 'pvesh set' failed (exit status 255): cfs-lock 'file-mapping_pci' error: got lock request timeout" "$T/out" ||
		fail "$h: the mapping did not fail by name"
done
assert_file_eq "$cfg" "$T/before.cfg"
echo "ok: pvesh failed, the mapping failed by name, pci.cfg unchanged"
