# What the tests and the benches do to a fixture node root, without a fleet:
# sourced by lib.sh (and so by every controller test and bench that uses
# it) and by tests/bench/fleet.sh, which stands up its own. Defines
# functions only.

# pick_passthrough DIR: the slot of the first discrete GPU (NVIDIA or AMD;
# else any display device) in the fixture root DIR, read from its sysfs so
# that no node is contacted for it.
pick_passthrough() {
	local d any=""
	for d in "$1"/sys/bus/pci/devices/*; do
		[[ $(cat "$d/class" 2>/dev/null) == 0x03* ]] || continue
		case $(cat "$d/vendor") in
		0x10de | 0x1002) basename "$d" | cut -c6-10; return ;;
		esac
		[[ -n $any ]] || any=$(basename "$d" | cut -c6-10)
	done
	echo "$any"
}

# The shell text of a fixture node's new boot, for a `systemctl reboot`
# stand-in with $R set to the root: a fresh boot_id, and the command line
# its systemd-boot configuration (etc/kernel/cmdline) gives.
NEW_BOOT='cat /proc/sys/kernel/random/uuid >"$R/proc/sys/kernel/random/boot_id"
if [ -f "$R/etc/kernel/cmdline" ]; then
	printf "initrd=\\EFI\\proxmox\\initrd.img %s\n" "$(head -n1 "$R/etc/kernel/cmdline")" >"$R/proc/cmdline"
fi'

# reboots_at_once ROOT: the root's `systemctl reboot` makes a new boot at
# once, and does nothing else (no log of its calls: for the benches).
reboots_at_once() {
	printf '#!/bin/sh\nR=$(cd "$(dirname "$0")/../.." && pwd)\n[ "$1" = reboot ] || exit 0\n%s\n' "$NEW_BOOT" \
		>"$1/usr/sbin/systemctl"
	chmod 755 "$1/usr/sbin/systemctl"
}
