#!/bin/bash
# A hostpci entry that has the mapping with other options is set again on
# its own index, keeping options orch does not manage (rombar=0).
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
mapping_cfg pve-sd1
"$R/usr/sbin/qm" set 100 --hostpci0 0000:02:00.0 --hostpci3 mapping=gpu,rombar=0,x-vga=1
: >"$R/var/log/orch-fixture/commands.log"
guests_run '{"mapping":"gpu","vmids":[100]}'
expect_ok_run
expect_status guests changed
expect_ran "qm set 100 --hostpci3 mapping=gpu,rombar=0,pcie=1" 1
expect_line /etc/pve/qemu-server/100.conf "hostpci0: 0000:02:00.0"
expect_line /etc/pve/qemu-server/100.conf "hostpci3: mapping=gpu,rombar=0,pcie=1"
