#!/bin/bash
# A contradicting line in /lib/modprobe.d belongs to a package (an upgrade
# would put it back): orch leaves that file alone and writes a same-named
# copy in /etc/modprobe.d, which hides it, with the line disabled.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
mkdir -p "$(f /lib/modprobe.d)" "$P/lib/modprobe.d"
printf '# shipped by a package\noptions vfio-pci ids=8086:1533\nblacklist foo\n' >"$(f /lib/modprobe.d/zz-vendor.conf)"
cp "$(f /lib/modprobe.d/zz-vendor.conf)" "$P/lib/modprobe.d/"
apply
expect_ok_run
grep -qF "disabled /lib/modprobe.d/zz-vendor.conf:2 (options vfio-pci ids=8086:1533) in its copy /etc/modprobe.d/zz-vendor.conf" <<<"$(msg_of vfio_bind)" ||
	fail "not reported: $(msg_of vfio_bind)"
expect_unchanged /lib/modprobe.d/zz-vendor.conf
expect_line /etc/modprobe.d/zz-vendor.conf "blacklist foo"
expect_no_line /etc/modprobe.d/zz-vendor.conf "options vfio-pci ids=8086:1533"
[[ $(real_modprobe_value vfio_pci ids) == 1002:73bf,1002:ab28 ]] || fail "modprobe -c gives ids=$(real_modprobe_value vfio_pci ids)"
apply
expect_ok_run
expect_status vfio_bind ok
rollback_plan refresh >"$T/rb.json"
run_agent "$T/rb.json"
expect_ok_run
expect_same_tree "$P" "$R" var/lib/orch var/log/orch-fixture/commands.log
