#!/bin/bash
# initramfs-tools leaves out an init-top script that is not executable, so
# the address binding would silently stop: a script with the right content
# but mode 0644 is made 0755 again (changed, the initramfs rebuilt), and a
# rollback still removes the file orch created.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
apply
expect_ok_run
chmod 0644 "$(f $BIND_SCRIPT)"
apply --check
expect_status vfio_bind changed
[[ $(stat -c %a "$(f $BIND_SCRIPT)") == 644 ]] || fail "check mode changed the mode"
apply
expect_ok_run
expect_status vfio_bind changed
expect_bound_by_address 0000:02:00.0
expect_ran "update-initramfs -u -k all" 2
[[ $(image_order 6.8.12-4-pve | tr '\n' ' ') == "all_generic_ide blacklist keymap orch-vfio-pci udev " ]] ||
	fail "the rebuilt image lacks the script: $(image_order 6.8.12-4-pve | tr '\n' ' ')"
apply
expect_status vfio_bind ok
rollback_plan refresh >"$T/rollback.json"
run_agent "$T/rollback.json"
expect_ok_run
expect_absent $BIND_SCRIPT
expect_same_tree "$P" "$R" var/lib/orch var/log/orch-fixture/commands.log
