#!/bin/bash
# Edited files keep their mode and owner (an admin's 0600 /etc/kernel/cmdline
# owned by someone else stays so), their backups too; files orch creates are
# 0644 root:root.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
chmod 0600 "$(f /etc/kernel/cmdline)"
chown 1234:2345 "$(f /etc/kernel/cmdline)"
chmod 0640 "$(f /etc/modules)"
chown 0:4 "$(f /etc/modules)"
apply
expect_ok_run
expect_status kernel_cmdline changed
expect_status vfio_modules changed
[[ $(stat -c '%a %u:%g' "$(f /etc/kernel/cmdline)") == "600 1234:2345" ]] ||
	fail "/etc/kernel/cmdline is now $(stat -c '%a %u:%g' "$(f /etc/kernel/cmdline)")"
[[ $(stat -c '%a %u:%g' "$(f /etc/modules)") == "640 0:4" ]] ||
	fail "/etc/modules is now $(stat -c '%a %u:%g' "$(f /etc/modules)")"
[[ $(stat -c '%a %u:%g' "$R/var/lib/orch/backup/files/etc/kernel/cmdline") == "600 1234:2345" ]] ||
	fail "the backup of /etc/kernel/cmdline is $(stat -c '%a %u:%g' "$R/var/lib/orch/backup/files/etc/kernel/cmdline")"
for new in /etc/modprobe.d/orch-vfio-pci.conf /etc/modprobe.d/orch-host-drivers.conf; do
	[[ $(stat -c '%a %u:%g' "$(f $new)") == "644 0:0" ]] || fail "$new is $(stat -c '%a %u:%g' "$(f $new)")"
done
# /etc/modules is reached through Debian's modules-load.d symlink too: the
# link stays a link.
[[ -L $(f /etc/modules-load.d/modules.conf) ]] || fail "/etc/modules-load.d/modules.conf is no longer a symlink"
