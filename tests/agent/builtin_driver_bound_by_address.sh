#!/bin/bash
# An NVMe drive whose ID no other device has, on a kernel with nvme built in
# (modules.builtin): nvme binds it before vfio-pci can load, so vfio-pci's
# ids= never gets it and softdep or blacklist cannot keep nvme off. bind_by
# auto binds it by address through the init-top script, which unbinds it
# from nvme early in the initramfs, and host_drivers writes nothing for
# nvme; bind_by=id is refused, naming the built-in driver.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-nvme
apply
expect_ok_run
[[ $(result devices | jq -c '.facts.selected | map({address, bind, builtin})') == \
	'[{"address":"0000:03:00.0","bind":"address","builtin":true}]' ]] ||
	fail "0000:03:00.0 is not bound by address as a built-in driver's device: $(result devices)"
grep -q '0000:03:00.0 (by address: its driver is built in)' <<<"$(msg_of devices)" ||
	fail "devices does not say why: $(msg_of devices)"
expect_bound_by_address 0000:03:00.0
[[ -z $(vfio_ids) ]] || fail "bound by ID as well: $(vfio_ids)"
grep -q 'unbinds 0000:03:00.0 from nvme before vfio-pci loads' <<<"$(msg_of vfio_bind)" ||
	fail "vfio_bind does not say how the built-in nvme is dealt with: $(msg_of vfio_bind)"
[[ $(image_order 6.8.12-4-pve | tr '\n' ' ') == "all_generic_ide blacklist keymap orch-vfio-pci udev " ]] ||
	fail "the image does not run orch-vfio-pci before udev: $(image_order 6.8.12-4-pve | tr '\n' ' ')"
expect_no_match /etc/modprobe.d/orch-host-drivers.conf 'nvme'
grep -q 'built in (bound by address instead): nvme' <<<"$(msg_of host_drivers)" ||
	fail "host_drivers does not say why nvme gets no softdep or blacklist: $(msg_of host_drivers)"

use_root lvm-bios-nvme
apply --bind-by id
expect_rc 1
expect_status devices failed
grep -q 'bind_by=id cannot take it from nvme, which is built into 6.8.12-4-pve (modules.builtin)' <<<"$(msg_of devices)" ||
	fail "the refusal does not name the built-in driver: $(msg_of devices)"
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log

# After the reboot vfio-pci holds the drive: its driver is no longer nvme,
# yet nvme (built in, found by modules.builtin.alias) would take it again
# if orch switched to ids=. A second apply keeps the address binding.
use_root lvm-bios-nvme
apply
expect_ok_run
dev=$R/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0
mkdir -p "$R/sys/bus/pci/drivers/vfio-pci"
rm "$R/sys/bus/pci/drivers/nvme/0000:03:00.0"
ln -sfn ../../../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0 "$R/sys/bus/pci/drivers/vfio-pci/0000:03:00.0"
ln -sfn ../../../../bus/pci/drivers/vfio-pci "$dev/driver"
rm -rf "$dev/nvme" "$R/sys/class/nvme/nvme0"
apply
expect_ok_run
[[ $(result devices | jq -c '.facts.selected | map({address, bind, builtin, driver})') == \
	'[{"address":"0000:03:00.0","bind":"address","builtin":true,"driver":"vfio-pci"}]' ]] ||
	fail "after the reboot 0000:03:00.0 is not kept bound by address: $(result devices)"
[[ $(summary_field changed) == 0 ]] || fail "the second apply after the reboot changed something: $(summary)"
