#!/bin/bash
# docs/protocol.md: the rollback step restores every file orch changed and
# the refresh step after it (`orch rollback` sends facts, rollback, refresh)
# publishes them. So after a rollback of a changed command line and modules
# the boot loader's configuration is the original again, with
# proxmox-boot-tool refresh (systemd-boot) and update-initramfs run once.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
apply
expect_ok_run
: >"$R/var/log/orch-fixture/commands.log"
rollback_plan refresh >"$T/rollback.json"
run_agent "$T/rollback.json"
expect_ok_run
expect_status rollback changed
expect_unchanged /etc/kernel/cmdline
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-initramfs -u -k all" 1
expect_same_tree "$P" "$R" var/lib/orch var/log/orch-fixture/commands.log
