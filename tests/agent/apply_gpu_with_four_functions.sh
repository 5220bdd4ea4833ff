#!/bin/bash
# A slot selector takes every function: the GTX 1660 comes with audio, USB and
# USB-C UCSI functions, all in its own IOMMU group. It is the boot VGA with
# BOOTFB in its BAR, but kernel 6.5's vfio-pci takes the framebuffer off it
# itself, and AMD needs no IOMMU token: the command line is left alone.
# xhci_pci (the module of the xhci_hcd driver) and snd_hda_intel have other
# users.
. "$(dirname "$0")/lib.sh"
use_root foreign-group
apply
expect_ok_run

[[ $(result devices | jq -r '.facts.selected | map(.address) | join(" ")') == \
	"0000:07:00.0 0000:07:00.1 0000:07:00.2 0000:07:00.3" ]] || fail "the slot's four functions are not selected: $(result devices)"
expect_vfio_ids 10de:2184 10de:1aeb 10de:1aec 10de:1aed
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set although the plan left it at auto (SeaBIOS guests with x-vga=1 need the VGA region)"
expect_status kernel_cmdline ok
expect_absent /etc/default/grub.d/orch.cfg
l=$(grub_linux_line /boot/grub/grub.cfg)
expect_no_token "$l" 'intel_iommu=.*|amd_iommu=.*|initcall_blacklist=.*'
hd=/etc/modprobe.d/orch-host-drivers.conf
expect_line $hd "softdep nouveau pre: vfio-pci"
expect_line $hd "blacklist nouveau"
expect_line $hd "softdep xhci_pci pre: vfio-pci"
expect_no_line $hd "blacklist xhci_pci"
expect_no_line $hd "blacklist snd_hda_intel"
expect_ran "update-grub" 0
expect_ran "update-initramfs -u -k all" 1
