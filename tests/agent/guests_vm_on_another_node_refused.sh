#!/bin/bash
# A VM whose configuration is under another node of the cluster is refused
# naming that node: qm set on this node would not find it.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-secureboot-grub
mapping_cfg pve-sb1 pve-sb3
for d in "$R" "$P"; do
	mkdir -p "$d/etc/pve/nodes/pve-sb1/qemu-server"
	cp "$d/etc/pve/qemu-server/101.conf" "$d/etc/pve/nodes/pve-sb1/qemu-server/105.conf"
done
guests_run '{"mapping":"gpu","vmids":[105]}'
expect_refused "VM 105 is on node 'pve-sb1' (/etc/pve/nodes/pve-sb1/qemu-server/105.conf), not on this node 'pve-sb3'"
