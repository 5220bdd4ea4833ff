#!/bin/bash
# The how-to's iommu_unsafe_interrupts.conf on a board with interrupt
# remapping only weakens isolation: orch disables the line and says where.
. "$(dirname "$0")/lib.sh"
use_root hand-configured
[[ $(modprobe_setting vfio_iommu_type1.allow_unsafe_interrupts) == 1 ]] || fail "setup: the option is not in effect"
apply
expect_ok_run
expect_status unsafe_interrupts changed
grep -qF "disabled /etc/modprobe.d/iommu_unsafe_interrupts.conf:1" <<<"$(msg_of unsafe_interrupts)" ||
	fail "the message does not name the line: $(msg_of unsafe_interrupts)"
expect_no_line /etc/modprobe.d/iommu_unsafe_interrupts.conf "options vfio_iommu_type1 allow_unsafe_interrupts=1"
expect_no_match /etc/modprobe.d/iommu_unsafe_interrupts.conf '^[^#]'
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
[[ -z $(modprobe_setting vfio_iommu_type1.allow_unsafe_interrupts) ]] || fail "allow_unsafe_interrupts still set"
[[ -z $(real_modprobe_value vfio_iommu_type1 allow_unsafe_interrupts) ]] || fail "modprobe -c still sets it"
