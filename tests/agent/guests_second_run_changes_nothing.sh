#!/bin/bash
# A VM that has the mapping with the wanted options already is left alone:
# the second run reports ok, runs no qm set, and the file keeps its bytes.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
mapping_cfg pve-sd1
guests_run '{"mapping":"gpu","vmids":[100],"x_vga":true}'
expect_ok_run
expect_status guests changed
cp "$(f /etc/pve/qemu-server/100.conf)" "$T/after-first"
guests_run '{"mapping":"gpu","vmids":[100],"x_vga":true}'
expect_ok_run
expect_status guests ok
expect_ran "qm set 100 --hostpci0 mapping=gpu,pcie=1,x-vga=1" 1
cmp -s "$T/after-first" "$(f /etc/pve/qemu-server/100.conf)" || fail "the second run changed 100.conf"
