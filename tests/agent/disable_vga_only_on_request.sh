#!/bin/bash
# disable_vga=1 hides the VGA region that QEMU's x-vga=on needs, and
# qemu-server passes x-vga=on for a hostpci entry marked x-vga=1 in every
# guest without OVMF; Proxmox documents disable_vga for OVMF guests only.
# auto leaves it off, and says why when a GPU is selected; yes sets it and
# says what it costs, and is refused while a guest of this node passes a
# selected GPU with x-vga=1 without OVMF; a non-VGA device gets neither.
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

# A guest of this node that passes the GPU as primary (x-vga=1) without OVMF
# would no longer start: disable_vga=yes is refused, naming its config line,
# and vfio-pci's options are not written. With bios: ovmf it is fine; a
# snapshot's hostpci line does not count.
use_root zfs-uefi-sdboot
mkdir -p "$R/etc/pve/qemu-server"
printf 'boot: order=scsi0\ncores: 4\nhostpci0: 0000:01:00,pcie=1,x-vga=1\nmachine: q35\nmemory: 8192\nscsi0: local-zfs:vm-100-disk-0,size=64G\n' \
	>"$R/etc/pve/qemu-server/100.conf"
cp -a "$R/etc/pve" "$P/etc/pve"
apply --disable-vga yes
expect_rc 1
expect_status vfio_bind failed
grep -q 'disable_vga=yes would keep a guest from starting: /etc/pve/qemu-server/100.conf:3 ' <<<"$(msg_of vfio_bind)" ||
	fail "the refusal does not name the guest's hostpci line: $(msg_of vfio_bind)"
expect_absent /etc/modprobe.d/orch-vfio-pci.conf
sed -i '1i bios: ovmf' "$R/etc/pve/qemu-server/100.conf"
apply --disable-vga yes
expect_ok_run
[[ $(vfio_option disable_vga) == 1 ]] || fail "no disable_vga=1 for an OVMF guest"
printf 'bios: seabios\nhostpci0: 01:00.0,x-vga=on\n[pre-upgrade]\nbios: seabios\nhostpci0: 01:00.0,x-vga=1\n' \
	>"$R/etc/pve/qemu-server/101.conf"
apply --disable-vga yes
expect_status vfio_bind failed
grep -q '101.conf:2 ' <<<"$(msg_of vfio_bind)" || fail "x-vga=on in host 01:00.0 not found: $(msg_of vfio_bind)"
! grep -q '101.conf:5' <<<"$(msg_of vfio_bind)" || fail "a snapshot's hostpci line counted: $(msg_of vfio_bind)"

apply --disable-vga no
expect_ok_run
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga still set with disable_vga=no"
! grep -q disable_vga <<<"$(msg_of vfio_bind)" || fail "disable_vga=no explained as if auto: $(msg_of vfio_bind)"

use_root no-intremap
apply
expect_ok_run
[[ -z $(vfio_option disable_vga) ]] || fail "disable_vga set for a SAS HBA"
! grep -q disable_vga <<<"$(msg_of vfio_bind)" || fail "disable_vga explained for a SAS HBA: $(msg_of vfio_bind)"
