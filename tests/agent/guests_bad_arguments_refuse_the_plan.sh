#!/bin/bash
# A guests step with a mapping that is not a Proxmox ID, a VM ID outside
# Proxmox's range, or without its mapping refuses the whole plan.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
for args in '{"mapping":"1gpu","vmids":[100]}' '{"mapping":"g","vmids":[100]}' \
	'{"mapping":"gpu","vmids":[99]}' '{"mapping":"gpu","vmids":["100"]}' '{"mapping":"gpu","vmids":[]}' \
	'{"vmids":[100]}' '{"mapping":"gpu;x","vmids":[100]}'; do
	guests_run "$args"
	expect_rc 2
	[[ $(jq -r .type "$T/out") == error ]] || fail "$args: not refused with an error line"
done
expect_same_tree "$P" "$R"
