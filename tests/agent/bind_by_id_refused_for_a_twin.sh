#!/bin/bash
# bind_by id for a device whose ID a host device shares would take the host's
# NIC too: the devices step refuses it; bind_by address binds the same device
# by address.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
apply --bind-by id
expect_rc 1
expect_status devices failed
grep -q '0000:01:00.0' <<<"$(msg_of devices)" || fail "the refusal does not name the twin: $(msg_of devices)"
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log

use_root zfs-uefi-sdboot
apply --bind-by address
expect_ok_run
expect_bound_by_address 0000:01:00.0 0000:01:00.1
[[ -z $(vfio_ids) ]] || fail "bound by ID although asked to bind by address: $(vfio_ids)"
