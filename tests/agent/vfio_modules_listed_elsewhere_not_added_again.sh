#!/bin/bash
# The vfio modules already load from a modules-load.d file of the admin's:
# /etc/modules gets no second copy of them.
. "$(dirname "$0")/lib.sh"
use_root lvm-uefi-grub
printf 'vfio\nvfio-iommu-type1\nvfio_pci\n' >"$(f /etc/modules-load.d/vfio.conf)"
apply
expect_ok_run
expect_status vfio_modules ok
expect_unchanged /etc/modules
