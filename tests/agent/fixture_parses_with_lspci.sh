#!/bin/bash
# A fixture root's sysfs is one libpci reads like a node's: lspci (the same
# library the agent links) lists every device of /sys/bus/pci/devices with
# the IDs and class of its sysfs attributes, from its 256-byte config space.
#   Usage: ... ROOT
# The fixtures do not depend on how the agent was built: a sanitizer build
# does not check them again.
# ctest: UNLESS ORCH_SANITIZE
# ctest: CASES ${ORCH_FIXTURE_ROOTS} ${ORCH_FIXTURE_ROOTS_REFUSED} zfs-uefi-sdboot-rebooted
# ctest: SKIP_RETURN_CODE 77
. "$(dirname "$0")/lib.sh"
command -v lspci >/dev/null || { echo "skip: no lspci (package pciutils)" >&2; exit 77; }
use_root "${1:?usage: $0 ROOT}"
lspci -A linux-sysfs -O sysfs.path="$R/sys/bus/pci" -i "$R/usr/share/misc/pci.ids" -nn -vvv \
	>"$T/lspci" 2>"$T/lspci.err" || fail "lspci failed: $(cat "$T/lspci.err")"
grep -v 'libkmod' "$T/lspci.err" | grep . && fail "lspci complained"
n=0
for d in "$R"/sys/bus/pci/devices/*; do
	a=$(basename "$d")
	want="$(cut -c3- "$d/vendor"):$(cut -c3- "$d/device")"
	cls=$(cut -c3-6 "$d/class")
	line=$(lspci -A linux-sysfs -O sysfs.path="$R/sys/bus/pci" -i "$R/usr/share/misc/pci.ids" -nn -s "$a" 2>/dev/null)
	grep -q "\[$cls\]: .*\[$want\]" <<<"$line" || fail "$a: lspci says '$line', sysfs says class $cls, ID $want"
	n=$((n + 1))
done
[[ $(grep -c '^[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] ' "$T/lspci") == "$n" ]] || fail "lspci does not list all $n devices"
