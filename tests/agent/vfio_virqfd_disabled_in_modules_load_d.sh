#!/bin/bash
# On 6.8 vfio_virqfd is inside vfio: a hand-written one is taken out of every
# file systemd-modules-load reads, /etc/modules and /etc/modules-load.d in
# place, one shipped in /usr/lib/modules-load.d by a same-named copy in
# /etc/modules-load.d that hides it.
. "$(dirname "$0")/lib.sh"
use_root hand-configured
printf 'vfio\nvfio_virqfd\n' >"$(f /etc/modules-load.d/vfio.conf)"
mkdir -p "$(f /usr/lib/modules-load.d)"
printf 'vfio-virqfd\n' >"$(f /usr/lib/modules-load.d/vfio-extra.conf)"
cp "$(f /etc/modules-load.d/vfio.conf)" "$P/etc/modules-load.d/vfio.conf"
cp -r "$(f /usr/lib/modules-load.d)" "$P/usr/lib/"
apply
expect_ok_run
expect_status vfio_modules changed
m=$(msg_of vfio_modules)
for w in /etc/modules:8 /etc/modules-load.d/vfio.conf:2 /usr/lib/modules-load.d/vfio-extra.conf:1; do
	grep -qF "disabled vfio_virqfd at $w" <<<"$m" || fail "not reported: $w ($m)"
done
expect_no_line /etc/modules vfio_virqfd
expect_no_match /etc/modules-load.d/vfio.conf '^vfio_virqfd'
expect_line /etc/modules-load.d/vfio.conf vfio
expect_unchanged /usr/lib/modules-load.d/vfio-extra.conf
expect_no_match /etc/modules-load.d/vfio-extra.conf '^vfio'
grep -q '^# disabled by orch (kernel 6.8.12-4-pve has vfio_virqfd inside vfio' "$(f /etc/modules-load.d/vfio-extra.conf)" ||
	fail "the copy lacks the disabled line: $(cat "$(f /etc/modules-load.d/vfio-extra.conf)")"
apply
expect_ok_run
expect_status vfio_modules ok
rollback_plan refresh >"$T/rb.json"
run_agent "$T/rb.json"
expect_ok_run
expect_same_tree "$P" "$R" var/lib/orch var/log/orch-fixture/commands.log
