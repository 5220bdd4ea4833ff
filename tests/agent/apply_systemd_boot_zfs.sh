#!/bin/bash
# ZFS on UEFI, systemd-boot (PVE 8.1, kernel 6.5, Intel, IOMMU still off): the
# full plan puts intel_iommu=on into the first line of /etc/kernel/cmdline,
# keeping root= first; the refreshed systemd-boot entries carry it. The GTX
# 1070 holds the boot framebuffer, but 6.5's vfio-pci takes it off the card
# itself: no initcall_blacklist=sysfb_init. The GPU and its
# audio function are bound by ID; nouveau is blacklisted but not
# snd_hda_intel, which the onboard audio needs.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
apply
expect_ok_run

expect_status kernel_cmdline changed
[[ $(wc -l <"$(f /etc/kernel/cmdline)") == 1 ]] || fail "/etc/kernel/cmdline is not one line"
l=$(first_line /etc/kernel/cmdline)
[[ $(tokens "$l" | head -n 2 | paste -sd' ') == "root=ZFS=rpool/ROOT/pve-1 boot=zfs" ]] ||
	fail "the original tokens are not kept first, in order: '$l'"
expect_tokens "$l" root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on
expect_no_token "$l" 'iommu=pt|amd_iommu=.*|video=.*|initcall_blacklist=.*'
for esp in 8F22-7B5D 8F23-3F8E; do
	e=/var/lib/orch-fixture/esp/$esp/loader/entries/proxmox-6.5.13-5-pve.conf
	[[ $(sed -n 's/^options[[:space:]]*//p' "$(f "$e")") == "$l" ]] ||
		fail "systemd-boot entry on ESP $esp does not carry the new command line: $(cat "$(f "$e")")"
done
expect_absent /etc/default/grub.d/orch.cfg
expect_unchanged /etc/default/grub
expect_unchanged /etc/default/grub.d/zfs.cfg

expect_status vfio_modules changed
for m in vfio vfio_iommu_type1 vfio_pci; do expect_line /etc/modules "$m"; done
expect_no_line /etc/modules vfio_virqfd
[[ $(head -n 4 "$(f /etc/modules)") == "$(head -n 4 "$P/etc/modules")" ]] || fail "/etc/modules lost its header"

expect_status vfio_bind changed
expect_vfio_ids 10de:1b81 10de:10f0
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set although the plan left it at auto (SeaBIOS guests with x-vga=1 need the VGA region)"
expect_absent /etc/initramfs-tools/scripts/init-top/orch-vfio-pci

expect_status host_drivers changed
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep nouveau pre: vfio-pci"
expect_line $hd "softdep snd_hda_intel pre: vfio-pci"
expect_line $hd "blacklist nouveau"
expect_no_line $hd "blacklist snd_hda_intel"
expect_unchanged /etc/modprobe.d/pve-blacklist.conf

expect_status unsafe_interrupts ok
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
expect_absent /etc/modprobe.d/orch-kvm.conf

expect_status refresh changed
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-initramfs -u -k all" 1
expect_ran "update-grub" 0
[[ $(summary_field reboot_pending) == true ]] || fail "no reboot pending after a changed command line"
