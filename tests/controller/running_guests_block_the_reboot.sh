#!/bin/bash
# A node with running guests is not rebooted unless --allow-guest-shutdown
# (or --maintenance) says so.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
node_boots node01
node_program node01 qm 'cat <<QM
      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID
       100 win11-gpu            running    16384            128.00 4242
       101 debian               stopped    2048              32.00 0
QM'

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => reboot: 1 guest running (qm 100); not rebooting" "$T/out" ||
	fail "reboot not refused"
[[ $(calls node01 "systemctl reboot") == 0 ]] || fail "rebooted with a guest running"

orch apply "$T/inventory.ini" "${KH[@]}" --allow-guest-shutdown
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "--allow-guest-shutdown did not reboot"
echo "ok: running guests block the reboot unless allowed"
