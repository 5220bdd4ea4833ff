#!/bin/bash
# x-vga=1 for a SeaBIOS VM is refused while vfio-pci hides the VGA region:
# disable_vga=1 in the modprobe configuration (the next boot), or in the
# running module. Without either, the same VM gets it.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-secureboot-grub
mapping_cfg pve-sb3
guests_run --check '{"mapping":"gpu","vmids":[101],"x_vga":true}'
expect_status guests changed
printf 'options vfio-pci ids=10de:2204 disable_vga=1\n' >"$R/etc/modprobe.d/vfio.conf"
guests_run '{"mapping":"gpu","vmids":[101],"x_vga":true}'
expect_refused "VM 101: x-vga=1 in a SeaBIOS guest (no 'bios: ovmf' in /etc/pve/nodes/pve-sb3/qemu-server/101.conf) needs the VGA region, and vfio-pci gets disable_vga=1 at the next boot (/etc/modprobe.d/vfio.conf:1)"
rm "$R/etc/modprobe.d/vfio.conf"
mkdir -p "$R/sys/module/vfio_pci/parameters"
echo Y >"$R/sys/module/vfio_pci/parameters/disable_vga"
guests_run '{"mapping":"gpu","vmids":[101],"x_vga":true}'
expect_refused "the running vfio-pci has disable_vga=Y"
