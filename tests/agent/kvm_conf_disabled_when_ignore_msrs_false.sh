#!/bin/bash
# ignore_msrs=false in the inventory is a decision: the how-to's kvm.conf
# line that sets ignore_msrs=1 is disabled, named with its file and line.
. "$(dirname "$0")/lib.sh"
use_root hand-configured
apply
expect_ok_run
expect_status ignore_msrs changed
grep -qF "disabled /etc/modprobe.d/kvm.conf:1 (options kvm ignore_msrs=1)" <<<"$(msg_of ignore_msrs)" ||
	fail "the message does not name the line: $(msg_of ignore_msrs)"
expect_line /etc/modprobe.d/kvm.conf "# disabled by orch (the inventory sets ignore_msrs=false): options kvm ignore_msrs=1"
[[ -z $(modprobe_setting kvm.ignore_msrs) ]] || fail "kvm ignore_msrs still '$(modprobe_setting kvm.ignore_msrs)'"
