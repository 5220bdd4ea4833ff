#!/bin/bash
# ignore_msrs not in the inventory: the plan's step has no "enable", and the
# admin's kvm.conf (ignore_msrs=1, guests may depend on it) stays as it is;
# only a file orch wrote before goes.
. "$(dirname "$0")/lib.sh"
use_root hand-configured
plan | jq '(.steps[] | select(.name == "ignore_msrs") | .args.enable) = true' >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_line /etc/modprobe.d/orch-kvm.conf "options kvm ignore_msrs=1 report_ignored_msrs=0"
expect_unchanged /etc/modprobe.d/kvm.conf
plan | jq '(.steps[] | select(.name == "ignore_msrs")) |= del(.args)' >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_status ignore_msrs changed
expect_absent /etc/modprobe.d/orch-kvm.conf
expect_unchanged /etc/modprobe.d/kvm.conf
[[ $(modprobe_setting kvm.ignore_msrs) == 1 ]] || fail "kvm ignore_msrs is '$(modprobe_setting kvm.ignore_msrs)'"
run_agent "$T/plan.json"
expect_ok_run
expect_status ignore_msrs ok
