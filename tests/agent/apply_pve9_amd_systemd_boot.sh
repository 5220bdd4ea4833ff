#!/bin/bash
# PVE 9 (trixie, kernel 6.14), AMD, ZFS with systemd-boot: the RX 7900 XTX is
# the boot VGA with the firmware framebuffer in its BAR, but since 6.0
# vfio-pci takes the framebuffer off the card itself, and on AMD the IOMMU is
# on by default: /etc/kernel/cmdline stays as it is. amdgpu and
# snd_hda_intel stay for the host's iGPU and audio; no vfio_virqfd on 6.14.
. "$(dirname "$0")/lib.sh"
use_root pve9-trixie
apply
expect_ok_run

expect_status kernel_cmdline ok
msg_of kernel_cmdline | grep -qF "no kernel option needed (AMD IOMMU is on by default, kernel 6.14.8-2-pve" ||
	fail "kernel_cmdline: $(msg_of kernel_cmdline)"
expect_unchanged /etc/kernel/cmdline
expect_absent /etc/default/grub.d/orch.cfg

for m in vfio vfio_iommu_type1 vfio_pci; do expect_line /etc/modules "$m"; done
expect_no_line /etc/modules vfio_virqfd
expect_vfio_ids 1002:744c 1002:ab30
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set although the plan left it at auto (SeaBIOS guests with x-vga=1 need the VGA region)"
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep amdgpu pre: vfio-pci"
expect_no_line $hd "blacklist amdgpu"
expect_no_line $hd "blacklist snd_hda_intel"
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
expect_ran "proxmox-boot-tool refresh" 0
expect_ran "update-initramfs -u -k all" 1
expect_ran "update-grub" 0
