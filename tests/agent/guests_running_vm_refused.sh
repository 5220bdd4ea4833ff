#!/bin/bash
# A running VM is refused (qm status: running), and so is the whole step:
# the stopped VM listed with it is not changed either, byte for byte.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-secureboot-grub
mapping_cfg pve-sb3
guests_run '{"mapping":"gpu","vmids":[101,100]}'
expect_refused "VM 100 is not stopped (qm status: 'status: running')"
