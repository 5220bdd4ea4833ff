#!/bin/bash
# PVE 9 (trixie, kernel 6.14), AMD, ZFS with systemd-boot: the RX 7900 XTX is
# the boot VGA, so initcall_blacklist=sysfb_init -- and on AMD nothing else --
# goes into /etc/kernel/cmdline. amdgpu and snd_hda_intel stay for the host's
# iGPU and audio; no vfio_virqfd on 6.14.
. "$(dirname "$0")/lib.sh"
use_root pve9-trixie
apply
expect_ok_run

expect_status kernel_cmdline changed
l=$(first_line /etc/kernel/cmdline)
[[ $(tokens "$l" | head -n 2 | paste -sd' ') == "root=ZFS=rpool/ROOT/pve-1 boot=zfs" ]] ||
	fail "the original tokens are not kept first, in order: '$l'"
expect_tokens "$l" initcall_blacklist=sysfb_init
expect_no_token "$l" 'intel_iommu=.*|amd_iommu=.*|iommu=pt'
e=/var/lib/orch-fixture/esp/B1E4-07A9/loader/entries/proxmox-6.14.8-2-pve.conf
[[ $(sed -n 's/^options[[:space:]]*//p' "$(f "$e")") == "$l" ]] ||
	fail "the systemd-boot entry does not carry the new command line: $(cat "$(f "$e")")"
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
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-initramfs -u -k all" 1
expect_ran "update-grub" 0
