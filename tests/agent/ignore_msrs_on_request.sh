#!/bin/bash
# options kvm ignore_msrs=1 report_ignored_msrs=0 only when asked for; asking
# no more removes orch's file again.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
plan | jq '(.steps[] | select(.name == "ignore_msrs") | .args.enable) = true' >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_status ignore_msrs changed
expect_line /etc/modprobe.d/orch-kvm.conf "options kvm ignore_msrs=1 report_ignored_msrs=0"
apply
expect_ok_run
expect_status ignore_msrs changed
expect_absent /etc/modprobe.d/orch-kvm.conf
