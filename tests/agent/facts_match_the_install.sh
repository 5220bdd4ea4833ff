#!/bin/bash
# The facts step tells each install for what it is: boot loader (and UEFI,
# Secure Boot), CPU vendor, running kernel, the kernel that boots next and
# what decided it, what its config and modules say, IOMMU state from sysfs
# and interrupt remapping.   Usage: ... ROOT
# ctest: CASES ${ORCH_FIXTURE_ROOTS} ${ORCH_FIXTURE_ROOTS_REFUSED}
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
case $FIX in
zfs-uefi-sdboot) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"intel",
	"kernel":"6.5.13-5-pve","target":"6.5.13-5-pve","from":"newest installed",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-sd1"}' ;;
lvm-uefi-grub | hand-configured) want='{"loader":"grub","uefi":true,"secure_boot":false,"cpu":"amd",
	"kernel":"6.8.12-4-pve","target":"6.8.12-4-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":true,"virqfd":false,"active":true,"units":["ivhd0"],"ir":true,"host":"pve-amd1"}' ;;
lvm-bios-grub | lvm-bios-nvme) want='{"loader":"grub","uefi":false,"secure_boot":false,"cpu":"intel",
	"kernel":"6.8.12-4-pve","target":"6.8.12-4-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":true,"virqfd":false,"active":true,"units":["dmar0","dmar1"],"ir":true,"host":"pve-ws2"}' ;;
zfs-secureboot-grub) want='{"loader":"grub-pbt","uefi":true,"secure_boot":true,"cpu":"intel",
	"kernel":"6.8.12-4-pve","target":"6.8.12-4-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":true,"virqfd":false,"active":true,"units":["dmar0","dmar1"],"ir":true,"host":"pve-sb3"}' ;;
pve7-5.15) want='{"loader":"grub-pbt","uefi":false,"secure_boot":false,"cpu":"intel",
	"kernel":"5.15.143-1-pve","target":"5.15.143-1-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":false,"virqfd":true,"active":false,"units":[],"ir":true,"host":"pve7-old"}' ;;
foreign-group) want='{"loader":"grub","uefi":true,"secure_boot":false,"cpu":"amd",
	"kernel":"6.5.13-5-pve","target":"6.5.13-5-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":false,"virqfd":false,"active":true,"units":["ivhd0"],"ir":true,"host":"pve-b450"}' ;;
no-intremap) want='{"loader":"grub","uefi":false,"secure_boot":false,"cpu":"intel",
	"kernel":"6.8.12-4-pve","target":"6.8.12-4-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":true,"virqfd":false,"active":true,"units":["dmar0"],"ir":false,"host":"r710"}' ;;
pve9-trixie) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"amd",
	"kernel":"6.14.8-2-pve","target":"6.14.8-2-pve","from":"newest installed",
	"default_on":true,"virqfd":false,"active":true,"units":["ivhd0"],"ir":true,"host":"pve9"}' ;;
sdboot-pinned-6.5) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"intel","kernel":"6.5.13-5-pve",
	"target":"6.5.13-5-pve","from":"/etc/kernel/proxmox-boot-pin",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-sd1"}' ;;
pve7-sdboot-admin-tokens) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"intel","kernel":"5.15.143-1-pve",
	"target":"5.15.143-1-pve","from":"newest installed",
	"default_on":false,"virqfd":true,"active":true,"units":["dmar0"],"ir":true,"host":"pve-sd1"}' ;;
grub-pinned-intel-off) want='{"loader":"grub","uefi":false,"secure_boot":false,"cpu":"intel","kernel":"6.5.13-5-pve",
	"target":"6.5.13-5-pve","from":"GRUB_DEFAULT '"'gnulinux-advanced-3b6e1f0a-9c2d-4e57-8a41-d0c7f2b95e63>gnulinux-6.5.13-5-pve-advanced-3b6e1f0a-9c2d-4e57-8a41-d0c7f2b95e63'"' (/etc/default/grub.d/proxmox-kernel-pin.cfg:1)",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-ws2"}' ;;
sdboot-iommu-off) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"amd","kernel":"6.14.8-2-pve",
	"target":"6.14.8-2-pve","from":"newest installed",
	"default_on":true,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve9"}' ;;
sdboot-grub-secureboot) want='{"loader":"grub-pbt","uefi":true,"secure_boot":false,"cpu":"intel","kernel":"6.5.13-5-pve",
	"target":"6.5.13-5-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-sd2"}' ;;
esps-disagree) want='{"loader":"mixed","uefi":true,"secure_boot":false,"cpu":"intel","kernel":"6.5.13-5-pve",
	"target":"6.5.13-5-pve","from":"newest installed (GRUB_DEFAULT=0, /etc/default/grub:6)",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-sd3"}' ;;
esp-list-stale) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"intel","kernel":"6.5.13-5-pve",
	"target":"6.5.13-5-pve","from":"newest installed",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-sd4"}' ;;
esp-list-all-stale) want='{"loader":"systemd-boot","uefi":true,"secure_boot":false,"cpu":"intel","kernel":"6.5.13-5-pve",
	"target":"6.5.13-5-pve","from":"newest installed",
	"default_on":false,"virqfd":false,"active":false,"units":[],"ir":true,"host":"pve-sd5"}' ;;
*) fail "no expectations for '$FIX'" ;;
esac
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
result facts | jq '.facts | {loader: .boot.loader, uefi: .boot.uefi, secure_boot: .boot.secure_boot,
	cpu: .cpu_vendor, kernel: .kernel.running, target: .kernel.target, from: .kernel.target_from,
	default_on: .kernel.intel_iommu_default_on,
	virqfd: .kernel.vfio_virqfd_module, active: .iommu.active, units: (.iommu.units | sort),
	ir: .iommu.interrupt_remapping, host: .hostname}' >"$T/got.json"
jq -S . <<<"$want" >"$T/want.json"
jq -S . "$T/got.json" >"$T/got.sorted.json"
diff "$T/want.json" "$T/got.sorted.json" >"$T/facts.diff" || fail "facts differ (- expected, + got):
$(cat "$T/facts.diff")"
[[ $(result facts | jq -r .facts.boot_id) == "$(cat "$R/proc/sys/kernel/random/boot_id")" ]] || fail "boot_id is not the root's"
[[ $(result facts | jq -r .facts.cmdline.live) == "$(cat "$R/proc/cmdline")" ]] || fail "live cmdline is not /proc/cmdline"
# Every PCI function of the root is reported, with the subsystem IDs of its
# sysfs (what a Proxmox PCI mapping's subsystem-id is checked against).
[[ $(result facts | jq '.facts.devices | length') == "$(ls "$R/sys/bus/pci/devices" | wc -l)" ]] ||
	fail "not every PCI device is in the facts"
for d in "$R"/sys/bus/pci/devices/*; do
	a=${d##*/}
	want=$(printf '%s:%s' "$(sed 's/^0x//' "$d/subsystem_vendor")" "$(sed 's/^0x//' "$d/subsystem_device")")
	got=$(result facts | jq -r --arg a "$a" '.facts.devices[] | select(.address == $a) | "\(.subsystem_vendor):\(.subsystem_device)"')
	[[ $got == "$want" ]] || fail "$a: subsystem $got, sysfs has $want"
done
expect_no_commands
