#!/bin/bash
# A node that fails verification on its fresh boot stops the rollout before
# the next batch: the next node is reported as not rebooted and is not touched.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 2 zfs-uefi-sdboot
# the "new boot" keeps the IOMMU off and the GPU on its host driver
for h in "${HOSTS[@]}"; do node_boots "$h"; done

orch_json apply "$T/inventory.ini" "${KH[@]}" --serial 1 --json
expect_rc 2
jq -e '.hosts.node01 | .. | objects | select(.name? == "verify" and .status? == "failed")
	| .msg | test("IOMMU not active")' "$T/out.json" >/dev/null || fail "node01 verify did not fail"
[[ $(calls node02 "systemctl reboot") == 0 ]] || fail "node02 was rebooted after node01 failed"
jq -e '.hosts.node02 | .. | objects | select(.name? == "reboot" and .status? == "skipped")
	| .msg | test("not rebooted: the rollout stopped after batch 1")' "$T/out.json" >/dev/null ||
	fail "node02 not reported as not rebooted"
echo "ok: a failed verification stops the rollout"
