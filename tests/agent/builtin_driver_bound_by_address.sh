#!/bin/bash
# An NVMe drive whose ID no other device has, on a kernel with nvme built in
# (modules.builtin): nvme binds it before vfio-pci can load, so vfio-pci's
# ids= never gets it and softdep or blacklist cannot keep nvme off. bind_by
# auto binds it by address through the init-top script, which unbinds it
# from nvme early in the initramfs; bind_by=id is refused, naming the
# built-in driver.
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

use_root lvm-bios-nvme
apply --bind-by id
expect_rc 1
expect_status devices failed
grep -q 'bind_by=id cannot take it from nvme, which is built into 6.8.12-4-pve (modules.builtin)' <<<"$(msg_of devices)" ||
	fail "the refusal does not name the built-in driver: $(msg_of devices)"
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
