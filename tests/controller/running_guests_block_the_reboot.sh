#!/bin/bash
# A node with running guests is not rebooted unless --allow-guest-shutdown
# (or --maintenance) says so.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
node_boots node01
# VM 100 of the fixture node runs, as a node shows it: its pid file names a
# QEMU started with that pid file (qemu-server's check_running), and `qm
# list` says so.
r=${ROOT[node01]}
printf '4242\n' >"$r/run/qemu-server/100.pid"
mkdir -p "$r/proc/4242"
printf '%s\0' /usr/bin/kvm -id 100 -name gaming-win10,debug-threads=on -pidfile /var/run/qemu-server/100.pid \
	-daemonize >"$r/proc/4242/cmdline"
echo "4242 (kvm) S 1 4241 4241 0 -1 138412352 1841203 0 41 0 982211 301877 0 0 20 0 9 0 4521 9416224768" \
	"2127386 18446744073709551615 1 1 0 0 0 0 268439815 4096 17128 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0" \
	>"$r/proc/4242/stat"
sed -i 's/^\(       100 gaming-win10         \)stopped    \(.*\) 0         $/\1running    \2 4242      /' \
	"$r/var/lib/orch-fixture/qm-list"
grep -q ' running ' "$r/var/lib/orch-fixture/qm-list" || fail "qm list does not show VM 100 running"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => reboot: 1 guest running (qm 100); not rebooting" "$T/out" ||
	fail "reboot not refused"
[[ $(calls node01 "systemctl reboot") == 0 ]] || fail "rebooted with a guest running"

orch apply "$T/inventory.ini" "${KH[@]}" --allow-guest-shutdown
[[ $(calls node01 "systemctl reboot") == 1 ]] || fail "--allow-guest-shutdown did not reboot"
echo "ok: running guests block the reboot unless allowed"
