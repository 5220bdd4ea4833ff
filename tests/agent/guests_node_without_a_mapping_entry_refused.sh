#!/bin/bash
# A mapping without an entry for this node is refused before any VM is
# looked at: qemu-server would not find the device at start.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
mapping_cfg pve-sd2 pve-sd3
guests_run '{"mapping":"gpu","vmids":[100]}'
expect_refused "mapping 'gpu' has no entry for node 'pve-sd1' in /etc/pve/mapping/pci.cfg"
guests_run '{"mapping":"nic","vmids":[100]}'
expect_refused "mapping 'nic' has no entry for node 'pve-sd1'"
guests_run '{"mapping":"absent","vmids":[100]}'
expect_refused "(no such mapping)"
