#!/bin/bash
# ext4/LVM on UEFI with GRUB (ESP at /boot/efi, no proxmox-boot-uuids), AMD
# (PVE 8.2, kernel 6.8): "EFI" does not mean /etc/kernel/cmdline here. With
# iommu_pt the token goes into orch's GRUB drop-in, update-grub runs once and
# grub.cfg carries it; nothing Intel-only or amd_iommu=on is written, and no
# sysfb workaround (the host's RX 550 is the boot VGA, not the RX 6800).
# amdgpu and snd_hda_intel stay (the host's other GPU and audio need them).
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
apply --iommu-pt
expect_ok_run

expect_status kernel_cmdline changed
expect_absent /etc/kernel/cmdline
expect_unchanged /etc/default/grub
expect_unchanged /etc/default/grub.d/init-select.cfg
[[ -f $(f /etc/default/grub.d/orch.cfg) ]] || fail "no /etc/default/grub.d/orch.cfg"
grep -q 'GRUB_CMDLINE_LINUX_DEFAULT=.*\$GRUB_CMDLINE_LINUX_DEFAULT' "$(f /etc/default/grub.d/orch.cfg)" ||
	fail "orch.cfg does not append to GRUB_CMDLINE_LINUX_DEFAULT: $(cat "$(f /etc/default/grub.d/orch.cfg)")"
l=$(grub_linux_line /boot/grub/grub.cfg)
expect_tokens "$l" /boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet iommu=pt
expect_no_token "$l" 'amd_iommu=.*|intel_iommu=.*|initcall_blacklist=.*'

expect_vfio_ids 1002:73bf 1002:ab28
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set although the plan left it at auto (SeaBIOS guests with x-vga=1 need the VGA region)"
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep amdgpu pre: vfio-pci"
expect_line $hd "softdep snd_hda_intel pre: vfio-pci"
expect_no_line $hd "blacklist amdgpu"
expect_no_line $hd "blacklist snd_hda_intel"
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
for m in vfio vfio_iommu_type1 vfio_pci; do expect_line /etc/modules "$m"; done
expect_no_line /etc/modules vfio_virqfd

expect_ran "update-grub" 1
expect_ran "proxmox-boot-tool refresh" 0
expect_ran "update-initramfs -u -k all" 1
