#!/bin/bash
# The facts say, per ESP of /etc/kernel/proxmox-boot-uuids, whether it
# exists (/dev/disk/by-uuid) and which loader boots from it next, as
# proxmox-boot-tool's sync hook decides it (GRUB where GRUB is installed on
# the ESP, else systemd-boot on UEFI), read from `proxmox-boot-tool status`;
# which loader booted now; and the files whose command line the next boot
# reads.   Usage: ... ROOT
# ctest: CASES ${ORCH_FIXTURE_ROOTS} ${ORCH_FIXTURE_ROOTS_REFUSED}
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
sd='{"uuid":"8F22-7B5D","present":true,"loader":"systemd-boot"}'
sd2='{"uuid":"8F23-3F8E","present":true,"loader":"systemd-boot"}'
gr='{"uuid":"8F22-7B5D","present":true,"loader":"grub-pbt"}'
gr2='{"uuid":"8F23-3F8E","present":true,"loader":"grub-pbt"}'
KC='"/etc/kernel/cmdline"' GD='"/etc/default/grub"'
case $FIX in
zfs-uefi-sdboot | zfs-uefi-sdboot-rebooted | sdboot-pinned-6.5 | pve7-sdboot-admin-tokens)
	want="{\"loader\":\"systemd-boot\",\"booted\":\"systemd-boot\",\"files\":[$KC],\"esps\":[$sd,$sd2]}" ;;
pve9-trixie | sdboot-iommu-off)
	want="{\"loader\":\"systemd-boot\",\"booted\":\"systemd-boot\",\"files\":[$KC],
		\"esps\":[{\"uuid\":\"B1E4-07A9\",\"present\":true,\"loader\":\"systemd-boot\"}]}" ;;
lvm-uefi-grub | lvm-bios-grub | foreign-group | no-intremap | grub-pinned-intel-off | hand-configured | lvm-bios-nvme)
	want="{\"loader\":\"grub\",\"booted\":\"grub\",\"files\":[$GD],\"esps\":[]}" ;;
zfs-secureboot-grub)
	want="{\"loader\":\"grub-pbt\",\"booted\":\"grub\",\"files\":[$GD],
		\"esps\":[{\"uuid\":\"4A1B-2C3D\",\"present\":true,\"loader\":\"grub-pbt\"}]}" ;;
pve7-5.15)
	want="{\"loader\":\"grub-pbt\",\"booted\":\"grub\",\"files\":[$GD],
		\"esps\":[{\"uuid\":\"1C7A-5E09\",\"present\":true,\"loader\":\"grub-pbt\"},
		          {\"uuid\":\"1C7B-0F44\",\"present\":true,\"loader\":\"grub-pbt\"}]}" ;;
sdboot-grub-secureboot)
	# systemd-boot runs now; `init <esp> grub` put GRUB on both ESPs
	want="{\"loader\":\"grub-pbt\",\"booted\":\"systemd-boot\",\"files\":[$GD],\"esps\":[$gr,$gr2]}" ;;
esps-disagree)
	want="{\"loader\":\"mixed\",\"booted\":\"systemd-boot\",\"files\":[$KC,$GD],\"esps\":[$sd,$gr2]}" ;;
esp-list-stale)
	want="{\"loader\":\"systemd-boot\",\"booted\":\"systemd-boot\",\"files\":[$KC],
		\"esps\":[$sd,{\"uuid\":\"8F23-3F8E\",\"present\":false,\"loader\":\"none\"}]}" ;;
esp-list-all-stale)
	want="{\"loader\":\"systemd-boot\",\"booted\":\"systemd-boot\",\"files\":[$KC],
		\"esps\":[{\"uuid\":\"8F22-7B5D\",\"present\":false,\"loader\":\"none\"},
		          {\"uuid\":\"8F23-3F8E\",\"present\":false,\"loader\":\"none\"}]}" ;;
*) fail "no expectations for '$FIX'" ;;
esac
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
result facts | jq -S '.facts.boot | {loader, booted, files: .cmdline_files,
	esps: [.esps[] | {uuid, present, loader}]}' >"$T/got.json"
jq -S . <<<"$want" >"$T/want.json"
diff "$T/want.json" "$T/got.json" >"$T/facts.diff" || fail "boot facts differ (- expected, + got):
$(cat "$T/facts.diff")"
# what decided a present ESP is the status line proxmox-boot-tool printed for it
n=$(result facts | jq '[.facts.boot.esps[] | select(.present) |
	select(.evidence | startswith("proxmox-boot-tool status: ") | not)] | length')
[[ $n == 0 ]] || fail "an ESP was decided without its status line: $(result facts | jq -c .facts.boot.esps)"
# each file the next boot reads has its configured line
n=$(result facts | jq '[.facts.cmdline.sources[] | select(.configured == null)] | length')
[[ $n == 0 ]] || fail "a source has no configured line: $(result facts | jq -c .facts.cmdline.sources)"
expect_no_commands
