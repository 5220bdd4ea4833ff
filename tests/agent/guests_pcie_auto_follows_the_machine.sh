#!/bin/bash
# pcie=auto gives pcie=1 only to q35 machines, whatever form the machine
# line has (type=q35,viommu=intel), and none to an i440fx one.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-secureboot-grub
mapping_cfg pve-sb3
guests_run '{"mapping":"gpu","vmids":[101]}'
expect_ok_run
expect_line /etc/pve/qemu-server/101.conf "hostpci0: mapping=gpu"
"$R/usr/sbin/qm" set 101 --hostpci0 0000:02:00.0
sed -i 's/^memory:/machine: type=q35,viommu=intel\nmemory:/' "$(f /etc/pve/qemu-server/101.conf)"
guests_run '{"mapping":"gpu","vmids":[101]}'
expect_ok_run
expect_line /etc/pve/qemu-server/101.conf "hostpci1: mapping=gpu,pcie=1"
