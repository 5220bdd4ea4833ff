#!/bin/bash
# A VM runs only while the pid in /var/run/qemu-server/<vmid>.pid is a QEMU
# started with that pid file and not a zombie (qemu-server Helpers.pm
# instance_running_locally): a pid file left behind by a process that is
# gone, or whose pid now belongs to another program, to a QEMU of another
# pid file or to a zombie, is a stopped VM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/facts_guests_lib.sh"
use_root zfs-secureboot-grub
expect_running '["qm 100","pct 200"]' "the fixture as generated"

stat_line=$(cat "$R/proc/2900/stat")
cmdline=$(tr '\0' '\n' <"$R/proc/2900/cmdline")

rm -r "$R/proc/2900"
expect_running '["pct 200"]' "the process of the pid file is gone"

mkdir "$R/proc/2900"
printf 'pvedaemon worker\0' >"$R/proc/2900/cmdline"
printf '%s\n' "${stat_line/(kvm)/(pvedaemon worke)}" >"$R/proc/2900/stat"
expect_running '["pct 200"]' "the pid is now another program's"

printf '%s\n' "$cmdline" | sed 's|/var/run/qemu-server/100.pid|/var/run/qemu-server/101.pid|' | tr '\n' '\0' \
	>"$R/proc/2900/cmdline"
printf '%s\n' "$stat_line" >"$R/proc/2900/stat"
expect_running '["pct 200"]' "the pid is a QEMU of another pid file"

printf '%s\n' "$cmdline" | tr '\n' '\0' >"$R/proc/2900/cmdline"
printf '%s\n' "${stat_line/(kvm) S /(kvm) Z }" >"$R/proc/2900/stat"
expect_running '["pct 200"]' "the QEMU is a zombie"

printf 'garbage\n' >"$R/run/qemu-server/100.pid"
printf '%s\n' "$stat_line" >"$R/proc/2900/stat"
expect_running '["pct 200"]' "the pid file holds no pid"

printf '2900\n' >"$R/run/qemu-server/100.pid"
expect_running '["qm 100","pct 200"]' "the QEMU of the pid file restored"
echo "ok: a stale pid file is a stopped VM"
