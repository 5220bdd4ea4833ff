#!/bin/bash
# A container of this node runs while its monitor listens on the abstract
# socket @/var/lib/lxc/<vmid>/command (pve-container LXC.pm
# list_active_containers reads /proc/net/unix): without that line it is
# stopped, and a socket for a container not configured here counts nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/facts_guests_lib.sh"
use_root zfs-secureboot-grub
expect_running '["qm 100","pct 200"]' "the fixture as generated"

sed -i '\|@/var/lib/lxc/200/command$|d' "$R/proc/net/unix"
expect_running '["qm 100"]' "container 200's socket is gone"

printf '0000000000000000: 00000002 00000000 00010000 0001 01 31011 @/var/lib/lxc/300/command\n' >>"$R/proc/net/unix"
expect_running '["qm 100"]' "a socket of container 300, configured nowhere"

cp "$R/etc/pve/nodes/pve-sb3/lxc/200.conf" "$R/etc/pve/nodes/pve-sb3/lxc/300.conf"
expect_running '["qm 100","pct 300"]' "container 300 configured here, its socket listening"
echo "ok: a container runs while its command socket listens"
