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

# The Ceph OSDs of a node that goes down are down for the ceph stand-in
# (the shared /etc/pve/fixture-ceph/down-NODE) from this epoch on.
OSDS_DOWN='
if ls "$R"/var/lib/ceph/osd/ceph-*/whoami >/dev/null 2>&1; then
	mkdir -p "$R/etc/pve/fixture-ceph"
	echo "${OSDS_UNTIL:-$(date +%s)}" >"$R/etc/pve/fixture-ceph/down-$(cat "$R/proc/sys/kernel/hostname")"
fi'

# node_boots NAME [BEFORE]: NAME's `systemctl reboot` makes a new boot: a
# fresh boot_id, and the command line its systemd-boot configuration gives;
# the shell text BEFORE runs first (a look at the node as it goes down).
# Its OSDs, if it has any, are down and come back a few seconds later.
node_boots() {
	node_program "$1" systemctl '
[ "$1" = reboot ] || exit 0
'"${2:-}"'
'"$OSDS_DOWN"'
'"$NEW_BOOT"
}

# node_never_returns NAME: `systemctl reboot` is accepted and nothing happens
# (its OSDs, if it has any, stay down).
node_never_returns() {
	node_program "$1" systemctl '[ "$1" = reboot ] || exit 0
OSDS_UNTIL=99999999999'"$OSDS_DOWN"
}

# orch_in_background ARGS...: starts orch ARGS as `orch` does, in the
# background (its pid in ORCH_PID); orch_waited then waits for it and sets RC.
orch_in_background() {
	env -u SSH_AUTH_SOCK NO_COLOR=1 "$ORCH" "$@" >"$T/out" 2>&1 &
	ORCH_PID=$!
}
orch_waited() {
	set +e
	wait "$ORCH_PID"
	RC=$?
	set -e
}

# until_calls NAME WORD N: waits (30 s at most) until N logged calls of
# NAME's start with WORD.
until_calls() {
	local i
	for ((i = 0; i < 300; i++)); do
		(($(calls "$1" "$2") >= $3)) && return 0
		sleep 0.1
	done
	fail "$1: no $3 calls of '$2' within 30 s"
}

# calls NAME WORD: how many logged calls of NAME's start with WORD.
calls() {
	grep -c "^$2" "${ROOT[$1]}/var/log/orch-fixture/commands.log" || true
}

# ha_stack NAME "NODE MODE"... -- "SID NODE STATE"...: the HA stack NAME's
# /etc/pve holds for the ha-manager stand-in: its nodes (MODE active or
# maintenance) and its services.
ha_stack() {
	local h=${ROOT[$1]}/etc/pve/ha x
	shift
	mkdir -p "$h"
	: >"$h/fixture-nodes"
	: >"$h/fixture-services"
	while (($#)) && [[ $1 != -- ]]; do
		echo "$1" >>"$h/fixture-nodes"
		shift
	done
	shift || true
	for x in "$@"; do
		echo "$x" >>"$h/fixture-services"
	done
}

# ha_move_seconds NAME N: a maintenance request takes N s to move the
# services of NAME's cluster.
ha_move_seconds() {
	mkdir -p "${ROOT[$1]}/var/lib/orch-fixture"
	echo "$2" >"${ROOT[$1]}/var/lib/orch-fixture/ha-move-seconds"
}

# ha_cluster CLUSTER NAME...: NAME... are the members of a quorate cluster
# CLUSTER, each named after its host (node01 -> pve1), sharing one /etc/pve
# (pmxcfs' tree, where the HA stack keeps its state) in $T/pve-CLUSTER.
ha_cluster() {
	local c=$1 h i=1 shared=$T/pve-$1
	shift
	mkdir -p "$shared"
	echo "totem { cluster_name: $c }" >"$shared/corosync.conf"
	for h in "$@"; do
		rm -rf "${ROOT[$h]}/etc/pve"
		ln -s "$shared" "${ROOT[$h]}/etc/pve"
		echo "pve$i" >"${ROOT[$h]}/proc/sys/kernel/hostname"
		printf 'Cluster information\n-------------------\nName:             %s\n\nQuorum information\n------------------\nQuorate:          Yes\n' \
			"$c" >"${ROOT[$h]}/var/lib/orch-fixture/pvecm-status"
		i=$((i + 1))
	done
}

# node_boots_configured NAME [BEFORE]: NAME's `systemctl reboot` brings it
# back as zfs-uefi-sdboot comes back from a passthrough apply (IOMMU on, the
# GPU on vfio-pci: the zfs-uefi-sdboot-rebooted fixture's /sys and /dev),
# with a fresh boot_id and the configured command line.
node_boots_configured() {
	local after=$T/pristine/zfs-uefi-sdboot-rebooted
	[[ -d $after ]] || cp -a "$FIXTURES/zfs-uefi-sdboot-rebooted" "$after"
	node_boots "$1" "${2:-}"'
rm -rf "$R/sys" "$R/dev"; cp -a "'"$after"'/sys" "'"$after"'/dev" "$R/"'
}

# ceph_cluster NAME...: the members NAME... (of one ha_cluster) run Ceph,
# each with one OSD (osd.0 on the first); how long OSDs take to come back
# after a reboot: var/lib/orch-fixture/ceph-recover-seconds (ceph_recover).
ceph_cluster() {
	local h i=0
	for h in "$@"; do
		echo "[global]" >"${ROOT[$h]}/etc/pve/ceph.conf"
		mkdir -p "${ROOT[$h]}/var/lib/ceph/osd/ceph-$i"
		echo "$i" >"${ROOT[$h]}/var/lib/ceph/osd/ceph-$i/whoami"
		i=$((i + 1))
	done
}

# ceph_recover SECONDS NAME...: OSDs come back SECONDS after a reboot.
ceph_recover() {
	local h s=$1
	shift
	for h in "$@"; do
		echo "$s" >"${ROOT[$h]}/var/lib/orch-fixture/ceph-recover-seconds"
	done
}
