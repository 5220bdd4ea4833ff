#!/bin/bash
# ZFS with Secure Boot: GRUB through shim, ESP kept by proxmox-boot-tool.
# The command line goes into orch's GRUB drop-in (not /etc/kernel/cmdline,
# which this install has but does not boot from); proxmox-boot-tool refresh
# regenerates the ESP's grub.cfg, update-grub is not called. The free NVMe
# shares its ID with the root pool's, and nvme is built into the Proxmox
# kernel: bound by address, and unbound from nvme early in the initramfs.
. "$(dirname "$0")/lib.sh"
use_root zfs-secureboot-grub
apply --iommu-pt
expect_ok_run

expect_status kernel_cmdline changed
expect_unchanged /etc/kernel/cmdline
expect_unchanged /etc/default/grub
expect_unchanged /etc/default/grub.d/zfs.cfg
l=$(grub_linux_line /var/lib/orch-fixture/esp/4A1B-2C3D/grub/grub.cfg)
expect_tokens "$l" /vmlinuz-6.8.12-4-pve boot=zfs quiet iommu=pt
tokens "$l" | grep -qx root=ZFS=rpool/ROOT/pve-1 || fail "no root= in '$l'"
expect_no_token "$l" 'intel_iommu=.*'
expect_ran "proxmox-boot-tool refresh" 1
expect_ran "update-grub" 0

expect_bound_by_address 0000:02:00.0
expect_absent /etc/udev/rules.d/80-orch-vfio-pci.rules
for k in 6.5.13-6-pve 6.8.12-4-pve; do
	[[ $(image_order $k | tr '\n' ' ') == "all_generic_ide blacklist keymap orch-vfio-pci udev " ]] ||
		fail "the $k image does not run orch-vfio-pci before udev: $(image_order $k | tr '\n' ' ')"
done
[[ $(result devices | jq -r '.facts.selected[0].builtin') == true ]] || fail "nvme not reported built in: $(result devices)"
grep -q 'built-in driver.*unbinds 0000:02:00.0 from nvme' <<<"$(msg_of vfio_bind)" ||
	fail "vfio_bind does not say the script unbinds the device from the built-in nvme: $(msg_of vfio_bind)"
if vfio_ids | grep -qx 144d:a80a; then
	fail "144d:a80a is bound by ID: the root pool's NVMe would lose its driver"
fi
expect_no_line /etc/modprobe.d/orch-host-drivers.conf "blacklist nvme"
expect_ran "update-initramfs -u -k all" 1
