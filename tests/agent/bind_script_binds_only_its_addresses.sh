#!/bin/bash
# The init-top script orch writes for a device bound by address, run as the
# image holds it against a copy of the node's sysfs (its --sysfs argument,
# which initramfs-tools never passes): it sets driver_override of its
# addresses to vfio-pci and unbinds them from the driver that holds them
# (at boot only a built-in one can), and touches nothing else: not the twin
# NIC on the same driver, not a device already on vfio-pci. It is POSIX sh
# (dash and busybox run it) and its only node values are PCI addresses.
. "$(dirname "$0")/lib.sh"

# run_script SYSFS SHELL...: the image's copy of the script, run by SHELL.
run_script() {
	"${@:2}" "$R/var/lib/orch-fixture/initramfs/$KV/scripts/init-top/orch-vfio-pci" --sysfs "$1" ||
		fail "the script failed under ${*:2}"
}

use_root lvm-bios-grub
KV=6.8.12-4-pve
apply
expect_ok_run
expect_bound_by_address 0000:02:00.0
s=$(f $BIND_SCRIPT)
[[ -z $("$s" prereqs) ]] || fail "the script has prerequisites: $("$s" prereqs)"
sh -n "$s" || fail "the script is not valid sh"
grep -vE '^(bind_vfio [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$' "$s" | grep -qE '[0-9a-f]{4}:[0-9a-f]{2}:' &&
	fail "an address outside a bind_vfio line: $(cat "$s")"

for shell in dash "busybox sh"; do
	rm -rf "$T/sys"
	cp -a "$R/sys" "$T/sys"
	run_script "$T/sys" $shell
	d=$T/sys/bus/pci/devices
	[[ $(cat "$d/0000:02:00.0/driver_override") == vfio-pci ]] ||
		fail "$shell: driver_override of 0000:02:00.0 is '$(cat "$d/0000:02:00.0/driver_override")'"
	[[ $(cat "$T/sys/bus/pci/drivers/igb/unbind") == 0000:02:00.0 ]] ||
		fail "$shell: igb/unbind got '$(cat "$T/sys/bus/pci/drivers/igb/unbind")', expected 0000:02:00.0 alone"
	# everything else as it was: the twin's override, every other driver
	diff <(cd "$R/sys" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
		<(cd "$T/sys" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
		grep "^>" | awk "{print \$3}" >"$T/changed" || true
	[[ $(tr '\n' ' ' <"$T/changed") == "./bus/pci/drivers/igb/unbind ./devices/pci0000:00/0000:00:1c.1/0000:02:00.0/driver_override " ]] ||
		fail "$shell: the script changed more than its device: $(cat "$T/changed")"
done

# A device vfio-pci holds already is left bound: only its override is set.
use_root zfs-uefi-sdboot-rebooted
KV=6.5.13-5-pve
apply --bind-by address
expect_ok_run
expect_bound_by_address 0000:01:00.0 0000:01:00.1
rm -rf "$T/sys"
cp -a "$R/sys" "$T/sys"
run_script "$T/sys" dash
for a in 0000:01:00.0 0000:01:00.1; do
	[[ $(cat "$T/sys/bus/pci/devices/$a/driver_override") == vfio-pci ]] || fail "driver_override of $a not set"
done
[[ ! -s $T/sys/bus/pci/drivers/vfio-pci/unbind ]] || fail "a device on vfio-pci was unbound"
[[ ! -e $T/sys/bus/pci/drivers_probe ]] || fail "drivers_probe written for a bound device"
