#!/bin/bash
# pcie=yes on a VM without the q35 machine is refused as qemu-server would
# refuse it at start, naming the configuration file.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-secureboot-grub
mapping_cfg pve-sb3
guests_run '{"mapping":"gpu","vmids":[101],"pcie":"yes"}'
expect_refused "VM 101: pcie=1 needs the q35 machine, and /etc/pve/nodes/pve-sb3/qemu-server/101.conf has no machine line (i440fx)"
assert_contains "the guests message" "$(msg_of guests)" "q35 machine model is not enabled"
