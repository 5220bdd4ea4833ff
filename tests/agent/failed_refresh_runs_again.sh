#!/bin/bash
# A refresh command that fails fails the refresh step (exit 1) and is run
# again by the next apply although no file changes then; once it succeeds
# nothing is pending and a third apply runs nothing.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
mv "$R/usr/sbin/update-initramfs" "$R/usr/sbin/update-initramfs.real"
printf '#!/bin/sh\nR=$(cd "$(dirname "$0")/../.." && pwd)\necho "update-initramfs $*" >>"$R/var/log/orch-fixture/commands.log"\necho "E: mkinitramfs failure cpio 141" >&2\nexit 1\n' \
	>"$R/usr/sbin/update-initramfs"
chmod 0755 "$R/usr/sbin/update-initramfs"
apply
expect_rc 1
expect_status refresh failed
expect_ran "update-initramfs -u -k all" 1

mv "$R/usr/sbin/update-initramfs.real" "$R/usr/sbin/update-initramfs"
apply
expect_ok_run
expect_status refresh changed
expect_ran "update-initramfs -u -k all" 2

apply
expect_ok_run
[[ $(summary_field changed) == 0 ]] || fail "third apply changed something"
expect_ran "update-initramfs -u -k all" 2
