#!/bin/bash
# Zhaoxin and Centaur CPUs ("CentaurHauls", "  Shanghai  " in /proc/cpuinfo)
# have VT-d: on kernel 6.5, which does not turn it on by itself,
# intel_iommu=on is added as on Intel.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
sed -i 's/GenuineIntel/  Shanghai  /' "$R/proc/cpuinfo"
apply
expect_ok_run
[[ $(result facts | jq -r .facts.cpu_vendor) == zhaoxin ]] || fail "cpu_vendor: $(result facts | jq -r .facts.cpu_vendor)"
expect_status kernel_cmdline changed
expect_tokens "$(first_line /etc/kernel/cmdline)" intel_iommu=on
