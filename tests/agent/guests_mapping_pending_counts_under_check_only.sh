#!/bin/bash
# mapping_pending (the controller's --check, when the apply writes this
# node's entry): under check, the VMs are checked as if the entry were
# there, the change reported and nothing run; outside check it is no entry,
# and the step refuses as without it.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
mapping_cfg pve-sd2
guests_run --check --diff '{"mapping":"gpu","vmids":[100],"mapping_pending":true}'
expect_ok_run
expect_status guests changed
assert_contains "the guests message" "$(msg_of guests)" "mapping 'gpu' has no entry for node 'pve-sd1' yet: the apply writes it"
assert_contains "the diff" "$(result guests | jq -r '.diff[0].unified')" $'\n+hostpci0: mapping=gpu,pcie=1\n'
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
expect_ran_none "qm set"
# a VM the apply would refuse is refused under check too
guests_run --check '{"mapping":"gpu","vmids":[100, 555],"mapping_pending":true}'
expect_refused "VM 555"
guests_run '{"mapping":"gpu","vmids":[100],"mapping_pending":true}'
expect_refused "mapping 'gpu' has no entry for node 'pve-sd1' in /etc/pve/mapping/pci.cfg"
