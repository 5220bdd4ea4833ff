#!/bin/bash
# PVE 7.4, kernel 5.15: vfio_virqfd is still a module of its own and goes
# into /etc/modules; intel_iommu=on is needed (no CONFIG_INTEL_IOMMU_DEFAULT_ON)
# and goes into orch's GRUB drop-in (ZFS, legacy BIOS, GRUB kept by
# proxmox-boot-tool on both ESPs). The Quadro is not the boot VGA (the BMC's
# ASPEED is): no sysfb workaround. nvidia and snd_hda_intel have no other
# user on this server: both blacklisted.
. "$(dirname "$0")/lib.sh"
use_root pve7-5.15
apply
expect_ok_run

expect_unchanged /etc/kernel/cmdline
for esp in 1C7A-5E09 1C7B-0F44; do
	l=$(grub_linux_line /var/lib/orch-fixture/esp/$esp/grub/grub.cfg)
	expect_tokens "$l" /vmlinuz-5.15.143-1-pve boot=zfs quiet intel_iommu=on
	tokens "$l" | grep -qx root=ZFS=rpool/ROOT/pve-1 || fail "no root= in '$l'"
	expect_no_token "$l" 'initcall_blacklist=.*|iommu=pt'
done
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-grub" 0

for m in vfio vfio_iommu_type1 vfio_pci vfio_virqfd; do expect_line /etc/modules "$m"; done
expect_vfio_ids 10de:1c30 10de:10f1
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set although the plan left it at auto (SeaBIOS guests with x-vga=1 need the VGA region)"
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep nvidia pre: vfio-pci"
expect_line $hd "blacklist nvidia"
expect_line $hd "softdep snd_hda_intel pre: vfio-pci"
expect_line $hd "blacklist snd_hda_intel"
expect_unchanged /etc/modprobe.d/nvidia-installer-disable-nouveau.conf
expect_ran "update-initramfs -u -k all" 1
