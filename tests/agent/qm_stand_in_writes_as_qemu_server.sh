#!/bin/bash
# The fixtures' qm does what qemu-server's does in what orch uses: status
# from the guest's state, unlogged; set writes the line where
# write_vm_config sorts it (a running VM's into [PENDING]), logged; a
# missing or locked VM and a value outside the hostpci format are refused
# with the file untouched.
. "$(dirname "$0")/lib.sh"
use_root zfs-secureboot-grub
qm=$R/usr/sbin/qm
conf=$R/etc/pve/nodes/pve-sb3/qemu-server
assert_eq "qm status 100" "$("$qm" status 100)" "status: running"
assert_eq "qm status 101" "$("$qm" status 101)" "status: stopped"
expect_no_commands
"$qm" set 101 --hostpci0 mapping=gpu,pcie=1
diff "$P/etc/pve/qemu-server/101.conf" "$conf/101.conf" >"$T/d" || true
assert_eq "the change to 101.conf" "$(cat "$T/d")" $'3a4\n> hostpci0: mapping=gpu,pcie=1'
expect_ran "qm set 101 --hostpci0 mapping=gpu,pcie=1" 1
"$qm" set 100 --hostpci0 mapping=gpu
assert_eq "100.conf" "$(cat "$conf/100.conf")" "$(cat "$P/etc/pve/qemu-server/100.conf")"$'\n\n[PENDING]\nhostpci0: mapping=gpu'
cp -a "$conf" "$T/before"
for bad in "999 --hostpci0 mapping=gpu" "101 --hostpci1 0000:01:00,mapping=gpu" "101 --hostpci1 mapping=1gpu" \
	"101 --hostpci16 mapping=gpu" "101 --hostpci1 mapping=gpu,pcie=maybe"; do
	! "$qm" set $bad 2>"$T/err" || fail "qm set $bad was accepted"
done
expect_same_tree "$T/before" "$conf"
rm -rf "$T/before"
sed -i 's/^name:/lock: backup\nname:/' "$conf/101.conf"
cp -a "$conf" "$T/before"
! "$qm" set 101 --hostpci1 mapping=gpu 2>"$T/err" || fail "a locked VM was changed"
assert_eq "the refusal" "$(cat "$T/err")" "VM is locked (backup)"
expect_same_tree "$T/before" "$conf"
