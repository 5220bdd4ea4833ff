#!/bin/bash
# Where the ESPs disagree, each loader has its own configured line (GRUB's
# adds `quiet` from /etc/default/grub). The verify compares the live command
# line with the line of the loader that booted: systemd-boot's entry (no
# `quiet`) passes against /etc/kernel/cmdline, and a GRUB boot whose
# grub.cfg lacks the options fails naming GRUB's file. The IOMMU and driver
# checks fail on this fixture either way (no reboot really happened); only
# the command line part is looked at here.
. "$(dirname "$0")/lib.sh"
use_root esps-disagree
apply --iommu-pt
expect_ok_run
LOADER_INFO=sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"verify","args":{"select":["01:00"]}}]}' \
	--arg r "$R" >"$T/verify.json"

# booted by systemd-boot from the ESP that boots it, with the new entry
opts=$(sed -n 's/^options[[:space:]]*//p' "$R/var/lib/orch-fixture/esp/8F22-7B5D/loader/entries/proxmox-6.5.13-5-pve.conf")
printf 'initrd=\\EFI\\proxmox\\6.5.13-5-pve\\initrd.img-6.5.13-5-pve %s\n' "$opts" >"$R/proc/cmdline"
run_agent "$T/verify.json"
expect_status verify failed
[[ $(result facts | jq -r .facts.boot.booted) == systemd-boot ]] || fail "not booted by systemd-boot"
msg_of verify | grep -q "configured (" && fail "systemd-boot's live line compared with another: $(msg_of verify)"

# booted by GRUB from the other ESP, whose grub.cfg was never refreshed
rm "$R/$LOADER_INFO"
printf 'BOOT_IMAGE=/vmlinuz-6.5.13-5-pve root=ZFS=rpool/ROOT/pve-1 ro root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n' >"$R/proc/cmdline"
run_agent "$T/verify.json"
expect_status verify failed
[[ $(result facts | jq -r .facts.boot.booted) == grub ]] || fail "not booted by GRUB"
msg_of verify | grep -qF "'intel_iommu=on' is configured (/etc/default/grub, read by GRUB)" ||
	fail "the GRUB boot is not checked against GRUB's line: $(msg_of verify)"

# and with what the refresh put in that grub.cfg, the line is live
g=$(grub_linux_line /var/lib/orch-fixture/esp/8F23-3F8E/grub/grub.cfg)
printf 'BOOT_IMAGE=%s\n' "$g" >"$R/proc/cmdline"
run_agent "$T/verify.json"
msg_of verify | grep -q "configured (" && fail "GRUB's live line does not match: $(msg_of verify)"
exit 0
