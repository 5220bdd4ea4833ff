#!/bin/bash
# A VM ID that no node has is refused; so is a container's ID.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-secureboot-grub
mapping_cfg pve-sb3
guests_run '{"mapping":"gpu","vmids":[101,999]}'
expect_refused "VM 999 does not exist (no /etc/pve/nodes/*/qemu-server/999.conf)"
for d in "$R" "$P"; do
	printf 'arch: amd64\nhostname: pihole\n' >"$d/etc/pve/lxc/200.conf"
done
guests_run '{"mapping":"gpu","vmids":[200]}'
expect_refused "200 is a container on node 'pve-sb3'"
