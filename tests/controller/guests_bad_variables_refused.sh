#!/bin/bash
# Bad guest variables are errors naming host, variable and value, found
# before any node is contacted: VM IDs outside Proxmox's range, pci_guests
# without pci_mapping, pcie and x-vga values that are not choices.
source "$(dirname "$0")/lib.sh"
fleet 2
check_bad() {
	local value=$1 why=$2
	write_inventory
	sed -i "s|^node02 .*|& passthrough=01:00 $value|" "$T/inventory.ini"
	orch apply "$T/inventory.ini" "${KH[@]}"
	expect_rc 1
	grep -qF "host 'node02': variable '$why" "$T/out" || fail "$value: no error naming node02 and '$why'"
}
check_bad "pci_mapping=gpu pci_guests=99" "pci_guests': '99' is not a list of VM IDs"
check_bad "pci_mapping=gpu pci_guests=100,1000000000" "pci_guests': '100,1000000000' is not a list of VM IDs (100 to 999999999): '1000000000'"
check_bad "pci_mapping=gpu pci_guests=vm100" "pci_guests': 'vm100'"
check_bad "pci_guests=100" "pci_guests': '100' needs pci_mapping"
check_bad "pci_mapping=1gpu pci_guests=100" "pci_mapping': '1gpu' is not a Proxmox mapping ID"
check_bad "pci_mapping=gpu pci_guests=100 pci_guest_pcie=sometimes" "pci_guest_pcie': 'sometimes' is not auto, yes or no"
check_bad "pci_mapping=gpu pci_guests=100 pci_guest_x_vga=maybe" "pci_guest_x_vga': 'maybe' is not a boolean"
for h in "${HOSTS[@]}"; do
	[[ $(agent_stamp "$h") == none ]] || fail "$h: contacted despite the bad inventory"
	[[ $(tree_sum "${ROOT[$h]}") == "$(pristine_sum "$h")" ]] || fail "$h: changed despite the bad inventory"
done
echo "ok: bad guest variables rejected"
