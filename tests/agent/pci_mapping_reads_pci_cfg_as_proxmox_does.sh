#!/bin/bash
# The pci_mapping step reads /etc/pve/mapping/pci.cfg as Proxmox's section
# config does: comments skipped, a section with a bad ID or an unknown
# property skipped (and gone after pvesh's next write), a node with two
# entries given one; what it shows as the file's change is what pvesh then
# writes, byte for byte.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot-rebooted
mkdir -p "$R/etc/pve/mapping"
cfg=$R/etc/pve/mapping/pci.cfg
printf '%s\n' '# written by hand' '1bad' '	map node=pve9,path=0000:09:00,id=8086:1572' '' \
	'odd' '	map node=pve9,path=0000:08:00,id=8086:1572' '	color blue' '' \
	'gpu' '	description render' '	mdev no' '	map node=pve-sd1,path=0000:01:00.0,id=10de:1b81' \
	'	map node=pve9,path=0000:41:00,id=10de:1b81,subsystem-id=1462:3302' '	map node=pve-sd1,path=0000:01:00.1,id=10de:10f0' >"$cfg"
digest=$(sha1sum "$cfg" | cut -c1-40)
entry=node=pve-sd1,path=0000:01:00,id=10de:1b81,subsystem-id=1462:3302,iommugroup=1
jq -n --arg r "$R" --arg e "$entry" '{"version":1,"root":$r,"diff":true,"steps":[
	{"name":"pci_mapping","args":{"id":"gpu","map":[$e],"nodes":["pve-sd1"]}}]}' >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_status pci_mapping changed
assert_eq "the message" "$(msg_of pci_mapping)" "mapping 'gpu' updated: pve-sd1: 2 entries -> 1, path 0000:01:00.0 -> 0000:01:00, subsystem-id none -> 1462:3302, iommugroup none -> 1; kept the entries of pve9 (not in this run)"
result pci_mapping | jq -j '.diff[0].after' >"$T/shown"
printf '%s\n' 'gpu' "	map $entry" '	map node=pve9,path=0000:41:00,id=10de:1b81,subsystem-id=1462:3302' \
	'	description render' '	mdev 0' '' >"$T/want"
assert_file_eq "$T/shown" "$T/want"
assert_file_eq "$cfg" "$T/want"
expect_ran "pvesh set /cluster/mapping/pci/gpu --map $entry --map node=pve9,path=0000:41:00,id=10de:1b81,subsystem-id=1462:3302 --digest $digest" 1
echo "ok: pci.cfg read as Proxmox reads it, written as pvesh writes it"
