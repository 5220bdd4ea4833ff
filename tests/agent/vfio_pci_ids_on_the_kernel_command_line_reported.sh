#!/bin/bash
# A vfio-pci.ids= on the configured kernel command line comes after every
# modprobe.d file, so it wins over orch's ids: the vfio_bind step reports
# it with the file and line that configure it.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"/GRUB_CMDLINE_LINUX_DEFAULT="quiet vfio-pci.ids=10de:1b81"/' "$(f /etc/default/grub)"
apply
expect_ok_run
grep -qF "vfio-pci.ids=10de:1b81 on the kernel command line (/etc/default/grub:9)" <<<"$(msg_of vfio_bind)" ||
	fail "not reported: $(msg_of vfio_bind)"
[[ $(modprobe_setting vfio_pci.ids from) == "the kernel command line" ]] || fail "facts: $(modprobe_facts)"
