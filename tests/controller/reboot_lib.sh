# Shared by the tests of rolling reboots on fixture roots. A fixture node
# cannot really reboot; these helpers give it the programs a Proxmox node
# answers with (systemctl, qm, pvecm, ha-manager), small and logging every
# call to the root's var/log/orch-fixture/commands.log like the fixtures' own.
# What a real kernel does on a reboot is tested in the lab (tests/lab).
source "$(dirname "$0")/lib.sh"
FLEET_REBOOT=auto

# node_program NAME PROGRAM BODY: installs PROGRAM in NAME's usr/sbin; BODY
# runs with $R (the root) set and the call already logged.
node_program() {
	local f=${ROOT[$1]}/usr/sbin/$2
	cat >"$f" <<-EOF
	#!/bin/sh
	R=\$(cd "\$(dirname "\$0")/../.." && pwd)
	echo "$2\${1+ \$*}" >>"\$R/var/log/orch-fixture/commands.log"
	$3
	EOF
	chmod 755 "$f"
}

# node_boots NAME: NAME's `systemctl reboot` makes a new boot: a fresh
# boot_id, and the command line its systemd-boot configuration gives.
node_boots() {
	node_program "$1" systemctl '
[ "$1" = reboot ] || exit 0
cat /proc/sys/kernel/random/uuid >"$R/proc/sys/kernel/random/boot_id"
if [ -f "$R/etc/kernel/cmdline" ]; then
	printf "initrd=\\EFI\\proxmox\\initrd.img %s\n" "$(head -n1 "$R/etc/kernel/cmdline")" >"$R/proc/cmdline"
fi'
}

# node_never_returns NAME: `systemctl reboot` is accepted and nothing happens.
node_never_returns() {
	node_program "$1" systemctl 'exit 0'
}

# calls NAME WORD: how many logged calls of NAME's start with WORD.
calls() {
	grep -c "^$2" "${ROOT[$1]}/var/log/orch-fixture/commands.log" || true
}
