#!/bin/bash
# --check where the cluster has no entry of the node in its PCI mapping yet
# (a fresh node, or a mapping removed by hand): the guests step checks the
# VMs as the apply will find them, the entry there, so the run says drift
# (8), not failure (10), and nothing is written. The apply that follows
# writes the entry and attaches the VM, and the next --check is clean.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
R1=${ROOT[node01]}
node_boots_configured node01
cluster_of rack1 node01
write_inventory pci_mapping=gpu pci_guests=100
conf=$R1/etc/pve/nodes/node01/qemu-server/100.conf
log=$R1/var/log/orch-fixture/commands.log
cp "$conf" "$T/100.conf"
[[ ! -e $R1/etc/pve/mapping/pci.cfg ]] || fail "the cluster has a mapping already"

# steps: the status of each of node01's steps named in $@, from --json
steps() {
	local s out=""
	for s in "$@"; do
		out+="$s=$(jq -r --arg s "$s" '[.hosts.node01.steps[] | select(.name == $s) | .status] | join(",")' "$T/out.json") "
	done
	echo "${out% }"
}

# A fresh node: the entry comes after the reboot the apply makes.
orch_json apply "$T/inventory.ini" "${KH[@]}" --check --json
expect_rc 8
[[ $(steps pci_mapping guests) == "pci_mapping=skipped guests=changed" ]] || fail "fresh node: $(steps pci_mapping guests)"
jq -e '.hosts.node01.steps[] | select(.name == "guests") | .msg | contains("no entry for node '"'node01'"' yet")' \
	"$T/out.json" >/dev/null || fail "the guests step does not say the entry is yet to come"
[[ ! -e $R1/etc/pve/mapping/pci.cfg ]] || fail "--check wrote pci.cfg"
cmp -s "$T/100.conf" "$conf" || fail "--check changed 100.conf"
! grep -q "^systemctl reboot\|^qm set\|^pvesh" "$log" || fail "--check ran: $(grep "^systemctl reboot\|^qm set\|^pvesh" "$log")"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
grep -qx "hostpci0: mapping=gpu,pcie=1" "$conf" || fail "the apply did not attach VM 100"
orch apply "$T/inventory.ini" "${KH[@]}" --check
expect_rc 0

# The node runs the configured state; the mapping is gone (removed by hand)
# and the VM has no device: the apply writes the entry then attaches it.
rm "$R1/etc/pve/mapping/pci.cfg"
cp "$T/100.conf" "$conf"
orch_json apply "$T/inventory.ini" "${KH[@]}" --check --json
expect_rc 8
[[ $(steps pci_mapping guests) == "pci_mapping=changed guests=changed" ]] || fail "configured node: $(steps pci_mapping guests)"
[[ ! -e $R1/etc/pve/mapping/pci.cfg ]] || fail "--check wrote pci.cfg"
cmp -s "$T/100.conf" "$conf" || fail "--check changed 100.conf"
echo "ok: --check before the mapping exists reports drift, not failure"
