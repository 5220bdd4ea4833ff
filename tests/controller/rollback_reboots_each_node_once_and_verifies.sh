#!/bin/bash
# orch rollback restores the files and reboots the nodes one at a time
# (--serial 1): each reboots once, comes back with a new boot_id, and the
# fresh boot runs the restored configuration.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 2 zfs-uefi-sdboot
FLEET_REBOOT=never write_inventory
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
for h in "${HOSTS[@]}"; do node_boots "$h"; done
write_inventory

orch rollback "$T/inventory.ini" "${KH[@]}" --serial 1
expect_rc 0
for h in "${HOSTS[@]}"; do
	[[ $(calls "$h" "systemctl reboot") == 1 ]] || fail "$h: rebooted $(calls "$h" "systemctl reboot") times, not once"
	grep -q "^changed: \[$h\] reboot: back after" "$T/out" || fail "$h: no reboot result"
	grep -q "^ok: \[$h\] verify: the fresh boot runs the configured state" "$T/out" || fail "$h: not verified"
	[[ $(tree_sum "${ROOT[$h]}/etc") == $(tree_sum "${PRISTINE_OF[$h]}/etc") ]] || fail "$h: /etc not restored"
done
# one at a time: node01 was verified before node02 went down
first_verify=$(grep -n "verify:.*node01\|\[node01\] verify" "$T/out" | head -n1 | cut -d: -f1)
second_reboot=$(grep -n "\[node02\] reboot" "$T/out" | head -n1 | cut -d: -f1)
((first_verify < second_reboot)) || fail "node02 was rebooted before node01 was verified"
echo "ok: rolled back and rebooted each node once, in turn"
