#!/bin/bash
# allow_unsafe_interrupts is only for a platform without interrupt remapping:
# when the node gains it (new board, BIOS fix) the next apply removes orch's
# drop-in again.
. "$(dirname "$0")/lib.sh"
use_root no-intremap
apply
expect_ok_run
expect_line /etc/modprobe.d/orch-unsafe-interrupts.conf "options vfio_iommu_type1 allow_unsafe_interrupts=1"
sed -i 's/  IO-APIC/  IR-IO-APIC/; s/  PCI-MSI/  IR-PCI-MSI/' "$R/proc/interrupts"
sed -i 's/ IO-APIC / IR-IO-APIC /; s/ PCI-MSI/ IR-PCI-MSI/' "$R/proc/interrupts"
grep -q 'IR-PCI-MSI' "$R/proc/interrupts" || fail "test setup: no IR- chips after the edit"
apply
expect_ok_run
expect_status unsafe_interrupts changed
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
expect_ran "update-initramfs -u -k all" 2
