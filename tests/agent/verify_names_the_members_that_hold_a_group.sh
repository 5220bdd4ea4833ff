#!/bin/bash
# A group is viable to VFIO only when each member is on a vfio driver,
# pci-stub, pcieport or no driver (the kernel's drivers/vfio/group.c): the
# verify's "vfio" entries name, from the group's sysfs members, each one on
# another driver, and not the selected functions on vfio-pci, pci-stub or
# the root port's pcieport. Read under the fixture's root, where nothing is
# opened.
. "$(dirname "$0")/lib.sh"
use_root foreign-group
# The GPU's group 8: three functions on vfio-pci, one on pci-stub, its audio
# left on snd_hda_intel; the chipset's group 4 (xhci, ahci, a pcieport
# switch and the devices behind it) as found.
mkdir -p "$R/sys/bus/pci/drivers/vfio-pci" "$R/sys/bus/pci/drivers/pci-stub"
for a in 0000:07:00.0 0000:07:00.2; do
	ln -sfn ../../../../bus/pci/drivers/vfio-pci "$R/sys/bus/pci/devices/$a/driver"
done
ln -sfn ../../../../bus/pci/drivers/pci-stub "$R/sys/bus/pci/devices/0000:07:00.3/driver"
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"verify","args":{"select":["07:00.0","02:00"]}}]}' \
	--arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_status verify failed
entry() {
	result verify | jq -c --arg a "$1" '.facts.vfio[] | select(.address == $a)'
}
[[ $(entry 0000:07:00.0 | jq -c .holders) == '["0000:07:00.1 is on snd_hda_intel"]' ]] ||
	fail "group 8's holders are not its audio function alone: $(entry 0000:07:00.0)"
[[ $(entry 0000:07:00.0 | jq -r .iommu_group) == 8 ]] || fail "no group 8 in $(entry 0000:07:00.0)"
want='["0000:02:00.0 is on xhci_hcd","0000:02:00.1 is on ahci","0000:04:00.0 is on e1000e","0000:05:00.0 is on xhci_hcd","0000:06:00.0 is on r8169"]'
for a in 0000:02:00.0 0000:02:00.2; do
	[[ $(entry $a | jq -c .holders) == "$want" ]] || fail "group 4's holders for $a: $(entry $a)"
done
# a group all on vfio-pci has none
ln -sfn ../../../../bus/pci/drivers/vfio-pci "$R/sys/bus/pci/devices/0000:07:00.1/driver"
run_agent "$T/plan.json"
[[ $(entry 0000:07:00.0 | jq -c 'has("holders")') == false ]] || fail "holders named in a viable group: $(entry 0000:07:00.0)"
