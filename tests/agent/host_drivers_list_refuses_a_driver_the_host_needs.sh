#!/bin/bash
# host_drivers mode list blacklists exactly the named drivers, and fails
# rather than blacklist one a host device still uses (amdgpu drives the
# host's RX 550 here); nothing of that step is written then.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
plan | jq '(.steps[] | select(.name == "host_drivers") | .args) = {"mode": "list", "drivers": ["amdgpu"]}' >"$T/plan.json"
run_agent "$T/plan.json"
expect_rc 1
expect_status host_drivers failed
grep -q '0000:0d:00.0' <<<"$(msg_of host_drivers)" || fail "the failure does not name the host's device: $(msg_of host_drivers)"
expect_no_line /etc/modprobe.d/orch-host-drivers.conf "blacklist amdgpu"
expect_status refresh skipped

use_root zfs-uefi-sdboot
plan | jq '(.steps[] | select(.name == "host_drivers") | .args) = {"mode": "list", "drivers": ["nouveau"]}' >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_line /etc/modprobe.d/orch-host-drivers.conf "blacklist nouveau"
expect_no_match /etc/modprobe.d/orch-host-drivers.conf '^blacklist (snd_hda_intel|amdgpu)$'
