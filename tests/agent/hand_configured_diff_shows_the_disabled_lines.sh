#!/bin/bash
# --check --diff on the hand-configured node: each disabled line shows as
# the admin's line removed and orch's commented one added, and nothing on
# the node changes.
. "$(dirname "$0")/lib.sh"
use_root hand-configured
apply --check --diff
expect_ok_run
expect_status vfio_bind changed
u=$(result vfio_bind | jq -r '.diff[] | select(.path == "/etc/modprobe.d/vfio.conf") | .unified')
grep -qxF -- "-options vfio-pci ids=10de:1b81,10de:10f0 disable_vga=1" <<<"$u" || fail "vfio.conf diff lacks the removed line: $u"
grep -qxF -- "+# disabled by orch (vfio-pci ids= is set in /etc/modprobe.d/orch-vfio-pci.conf; orch decided vfio-pci disable_vga=0): options vfio-pci ids=10de:1b81,10de:10f0 disable_vga=1" <<<"$u" ||
	fail "vfio.conf diff lacks the disabled line: $u"
u=$(result unsafe_interrupts | jq -r '.diff[]? | select(.path == "/etc/modprobe.d/iommu_unsafe_interrupts.conf") | .unified')
grep -q '^+# disabled by orch' <<<"$u" || fail "no diff for iommu_unsafe_interrupts.conf"
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
