#!/bin/bash
# Without an active IOMMU the kernel sets up no interrupt remapping, so its
# absence proves nothing: unsafe_interrupts=auto writes nothing then. On the
# fresh boot (IOMMU on, still no remapping: the R710's chipset erratum) the
# verify writes orch's option, refreshes the initramfs, and sets the running
# module's parameter, so no second reboot is needed.
. "$(dirname "$0")/lib.sh"
use_root no-intremap
rm -rf "$(f /sys/class/iommu)"/*
apply
expect_ok_run
expect_status unsafe_interrupts ok
grep -q 'decided by the verify of the fresh boot' <<<"$(msg_of unsafe_interrupts)" || fail "$(msg_of unsafe_interrupts)"
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf

# The fresh boot: the IOMMU on, the HBA on vfio-pci, vfio_iommu_type1 loaded
# without the option.
cp -a "$P/sys/class/iommu/." "$(f /sys/class/iommu)/"
mkdir -p "$(f /sys/bus/pci/drivers/vfio-pci)"
ln -sfn ../../../../bus/pci/drivers/vfio-pci "$(f /sys/devices/pci0000:00/0000:00:03.0/0000:03:00.0/driver)"
mkdir -p "$(f /sys/module/vfio_iommu_type1/parameters)"
printf 'N\n' >"$(f /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts)"
: >"$R/var/log/orch-fixture/commands.log"
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},
	{"name":"verify","args":{"select":["03:00"],"unsafe_interrupts":"auto"}},{"name":"refresh"}]}' --arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
expect_status verify changed
grep -q 'allow_unsafe_interrupts=1 written and set live' <<<"$(msg_of verify)" || fail "$(msg_of verify)"
expect_line /etc/modprobe.d/orch-unsafe-interrupts.conf "options vfio_iommu_type1 allow_unsafe_interrupts=1"
[[ $(cat "$(f /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts)") == 1 ]] || fail "not set live"
expect_ran "update-initramfs -u -k all" 1
run_agent "$T/plan.json"
expect_ok_run
expect_status verify ok
expect_status refresh ok
