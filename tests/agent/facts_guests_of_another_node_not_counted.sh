#!/bin/bash
# Only the guests configured on this node are its guests (qm list and pct
# list: pmxcfs' VM list, from /etc/pve/nodes/<node>/{qemu-server,lxc}, the
# node the short host name): with their configs moved to another node (a
# migration), VM 100 and container 200 are not counted although a QEMU
# still holds the pid file and the container's socket is still there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/facts_guests_lib.sh"
use_root zfs-secureboot-grub
expect_running '["qm 100","pct 200"]' "the fixture as generated"

mkdir -p "$R/etc/pve/nodes/pve-sb2/qemu-server" "$R/etc/pve/nodes/pve-sb2/lxc"
mv "$R/etc/pve/nodes/pve-sb3/qemu-server/100.conf" "$R/etc/pve/nodes/pve-sb2/qemu-server/"
mv "$R/etc/pve/nodes/pve-sb3/lxc/200.conf" "$R/etc/pve/nodes/pve-sb2/lxc/"
expect_running '[]' "the guests' configs are on node pve-sb2"
echo "ok: the guests of another node are not counted"
