#!/bin/bash
# From kernel 6.2 vfio_virqfd is part of vfio: a leftover vfio_virqfd line in
# /etc/modules (from PVE 7 days) makes modprobe fail and is removed; the rest
# of the file stays as it was.
. "$(dirname "$0")/lib.sh"
use_root lvm-bios-grub
printf 'vfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd\n# keep me\ncoretemp\n' >>"$(f /etc/modules)"
apply
expect_ok_run
expect_status vfio_modules changed
expect_no_line /etc/modules vfio_virqfd
for l in vfio vfio_iommu_type1 vfio_pci "# keep me" coretemp; do expect_line /etc/modules "$l"; done
[[ $(head -n 4 "$(f /etc/modules)") == "$(head -n 4 "$P/etc/modules")" ]] || fail "/etc/modules lost its header"
