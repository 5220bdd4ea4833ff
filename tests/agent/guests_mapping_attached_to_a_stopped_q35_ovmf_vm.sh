#!/bin/bash
# A stopped q35 OVMF VM of this node gets the mapping on its first free
# hostpci slot through `qm set`, with pcie=1 (auto: the machine is q35).
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
mapping_cfg pve-sd1 pve-sd2
guests_run '{"mapping":"gpu","vmids":[100]}'
expect_ok_run
expect_status guests changed
expect_ran "qm set 100 --hostpci0 mapping=gpu,pcie=1" 1
expect_line /etc/pve/nodes/pve-sd1/qemu-server/100.conf "hostpci0: mapping=gpu,pcie=1"
# qemu-server keeps the keys sorted: the line sits between efidisk0 and ide2
grep -A1 '^efidisk0:' "$(f /etc/pve/qemu-server/100.conf)" | grep -qx 'hostpci0: mapping=gpu,pcie=1' ||
	fail "hostpci0 is not where qemu-server sorts it: $(cat "$(f /etc/pve/qemu-server/100.conf)")"
