#!/bin/bash
# disable_vga=1 hides the VGA region that QEMU's x-vga=on needs, and
# qemu-server passes x-vga=on for a hostpci entry marked x-vga=1 in every
# guest without OVMF; Proxmox documents disable_vga for OVMF guests only.
# auto leaves it off, and says why when a GPU is selected; yes sets it and
# says what it costs; a non-VGA device gets neither.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
apply
expect_ok_run
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set at auto"
grep -q 'disable_vga not set:.*OVMF.*SeaBIOS guest with x-vga=1 needs the VGA region' <<<"$(msg_of vfio_bind)" ||
	fail "vfio_bind does not explain disable_vga: $(msg_of vfio_bind)"

apply --disable-vga yes
expect_ok_run
expect_status vfio_bind changed
[[ $(vfio_option disable_vga) == 1 ]] || fail "no disable_vga=1 with disable_vga=yes"
expect_vfio_ids 10de:1b81 10de:10f0
grep -q 'disable_vga=1.*must use OVMF.*x-vga=1 fails' <<<"$(msg_of vfio_bind)" ||
	fail "vfio_bind does not say what disable_vga=1 costs: $(msg_of vfio_bind)"
apply --disable-vga yes
expect_status vfio_bind ok

apply --disable-vga no
expect_ok_run
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga still set with disable_vga=no"
! grep -q disable_vga <<<"$(msg_of vfio_bind)" || fail "disable_vga=no explained as if auto: $(msg_of vfio_bind)"

use_root no-intremap
apply
expect_ok_run
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set for a SAS HBA"
! grep -q disable_vga <<<"$(msg_of vfio_bind)" || fail "disable_vga explained for a SAS HBA: $(msg_of vfio_bind)"
