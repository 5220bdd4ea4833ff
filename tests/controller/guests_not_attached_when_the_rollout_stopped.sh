#!/bin/bash
# When the rollout stops (node01's fresh boot fails its verify), no VM is
# attached anywhere, not even on a node that needed no reboot (node03):
# each host's guests step is skipped with the reason.
source "$(dirname "$0")/reboot_lib.sh"
fleet 3 zfs-uefi-sdboot zfs-uefi-sdboot zfs-uefi-sdboot-rebooted
for h in "${HOSTS[@]}"; do
	PASSTHROUGH[$h]=01:00
done
write_inventory
# node03 already runs the configured state: a first apply, no reboot pending
orch apply "$T/inventory.ini" "${KH[@]}" --limit node03 --reboot never
expect_rc 0
cluster_of rack1 "${HOSTS[@]}"
# node01 comes back from its reboot without the IOMMU: its verify fails
node_boots node01
node_boots node02
write_inventory pci_mapping=gpu pci_guests=100
orch_json apply "$T/inventory.ini" "${KH[@]}" --serial 1 --json
expect_rc 2
for h in "${HOSTS[@]}"; do
	! grep -q "^qm set" "${ROOT[$h]}/var/log/orch-fixture/commands.log" || fail "$h: qm set ran"
done
jq -e '.hosts.node01.steps | map(select(.name == "guests")) | .[0].status == "skipped"
	and (.[0].msg | test("the host failed"))' "$T/out.json" >/dev/null || fail "node01: guests not skipped as failed"
for h in node02 node03; do
	jq -e --arg h "$h" '.hosts[$h].steps | map(select(.name == "guests")) | .[0].status == "skipped"
		and (.[0].msg | test("the rollout stopped"))' "$T/out.json" >/dev/null ||
		fail "$h: guests not skipped for the stopped rollout: $(jq -c --arg h "$h" '.hosts[$h].steps[-1]' "$T/out.json")"
done
echo "ok: no guest attached after a stopped rollout"
