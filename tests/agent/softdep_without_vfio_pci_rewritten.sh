#!/bin/bash
# kmod uses the first softdep of a module, and amdgpu.conf sorts before
# orch-host-drivers.conf: an admin's softdep of a selected device's driver
# that does not load vfio-pci first is disabled, and its own dependencies
# kept behind vfio-pci on the line under it.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
printf 'softdep amdgpu pre: amd_iommu_v2 post: snd_hda_codec_hdmi\n' >"$(f /etc/modprobe.d/amdgpu.conf)"
apply
expect_ok_run
expect_status host_drivers changed
grep -qF "disabled /etc/modprobe.d/amdgpu.conf:1 (softdep amdgpu pre: amd_iommu_v2 post: snd_hda_codec_hdmi)" <<<"$(msg_of host_drivers)" ||
	fail "not reported: $(msg_of host_drivers)"
expect_line /etc/modprobe.d/amdgpu.conf "softdep amdgpu pre: vfio-pci amd_iommu_v2 post: snd_hda_codec_hdmi"
expect_no_line /etc/modprobe.d/amdgpu.conf "softdep amdgpu pre: amd_iommu_v2 post: snd_hda_codec_hdmi"
apply
expect_ok_run
expect_status host_drivers ok
