#!/bin/bash
# A pci_mapping that is not a Proxmox configuration ID is refused with the
# inventory, before any node is contacted.
source "$(dirname "$0")/lib.sh"
fleet 1 zfs-uefi-sdboot-rebooted
PASSTHROUGH[node01]=01:00
write_inventory "pci_mapping=2gpu"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 1
assert_contains "orch's output" "$(cat "$T/out")" "inventory.ini: host 'node01': variable 'pci_mapping': '2gpu' is not a Proxmox mapping ID"
assert_eq "the agent on node01" "$(agent_stamp node01)" none
assert_not_contains "sshd's log" "$(cat "$T/hosts/node01/sshd.log")" "Accepted"
echo "ok: the bad mapping ID was refused before any connection"
