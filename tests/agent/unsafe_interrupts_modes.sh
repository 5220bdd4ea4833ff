#!/bin/bash
# unsafe_interrupts: yes writes the option even with interrupt remapping,
# no never writes it, even without.
. "$(dirname "$0")/lib.sh"
mode_plan() {
	plan | jq --arg m "$1" '(.steps[] | select(.name == "unsafe_interrupts") | .args.mode) = $m' >"$T/plan.json"
}
use_root lvm-bios-grub
mode_plan yes
run_agent "$T/plan.json"
expect_ok_run
expect_line /etc/modprobe.d/orch-unsafe-interrupts.conf "options vfio_iommu_type1 allow_unsafe_interrupts=1"

use_root no-intremap
mode_plan no
run_agent "$T/plan.json"
expect_ok_run
expect_absent /etc/modprobe.d/orch-unsafe-interrupts.conf
