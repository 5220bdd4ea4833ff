#!/bin/bash
# Crash safety of the agent's writes, with faults injected by strace (no test
# hooks in the agent): the agent is killed with SIGKILL at each rename of an
# apply, or its writes fail with ENOSPC or EROFS. Every node file must then
# hold either its old or its new content, never a part; the saved originals
# stay intact; and a later run completes the job, refreshes included.
#
# usage: crash_safety.sh AGENT FIXTURE_ROOT
# ctest: NAME agent_crash_safety
# ctest: ARGS $<TARGET_FILE:orch-agent> ${fixtures}/zfs-uefi-sdboot
set -euo pipefail
AGENT=$1
FIXTURE=$2
command -v strace >/dev/null || { echo "skip: no strace" >&2; exit 77; }
T=$(mktemp -d /tmp/orch-crash.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../lib/assert.sh"

# plan ROOT: the full apply of docs/protocol.md on ROOT
plan() {
	jq -n --arg root "$1" '{version: 1, host: "pve1", root: $root, steps: [
		{name: "facts"}, {name: "devices", args: {select: ["01:00"]}},
		{name: "kernel_cmdline", args: {iommu_pt: true}}, {name: "vfio_modules"},
		{name: "vfio_bind"}, {name: "host_drivers", args: {mode: "auto"}},
		{name: "unsafe_interrupts", args: {mode: "yes"}}, {name: "ignore_msrs", args: {enable: true}},
		{name: "refresh"}]}'
}

# node_state ROOT: "path sha256" of every file the apply may touch ("-" when absent)
node_state() {
	local f
	for f in etc/kernel/cmdline etc/modules etc/modprobe.d/orch-vfio-pci.conf etc/modprobe.d/orch-host-drivers.conf \
		etc/modprobe.d/orch-unsafe-interrupts.conf etc/modprobe.d/orch-kvm.conf \
		etc/udev/rules.d/80-orch-vfio-pci.rules etc/modprobe.d/pve-blacklist.conf; do
		if [[ -e $1/$f ]]; then
			echo "$f $(sha256sum <"$1/$f" | cut -c1-64) $(stat -c %a "$1/$f")"
		else
			echo "$f -"
		fi
	done
}

fresh() {
	rm -rf "$T/r"
	cp -a "$T/pristine" "$T/r"
}

cp -a "$FIXTURE" "$T/pristine"
node_state "$T/pristine" >"$T/old"
fresh
plan "$T/r" >"$T/plan"
"$AGENT" <"$T/plan" >"$T/out" || fail "a plain apply failed: $(tail -n3 "$T/out")"
node_state "$T/r" >"$T/new"
cmp -s "$T/old" "$T/new" && fail "the apply changed nothing"

# Each file is its old or its new self, line by line of node_state.
only_old_or_new() {
	local what=$1 line
	node_state "$T/r" >"$T/now"
	while read -r line; do
		grep -qxF "$line" "$T/old" || grep -qxF "$line" "$T/new" || fail "$what: '$line' is neither old nor new"
	done <"$T/now"
	# nothing but the agent's own temp files (hidden .orch-*) may be left over
	if find "$T/r/etc" -newer "$T/plan" -type f ! -name '.orch-*' | grep -v -f <(cut -d' ' -f1 "$T/new" | sed 's/^/\//') | grep -q .; then
		fail "$what: files other than the planned ones were written"
	fi
}

# The saved originals are the pristine files, byte for byte.
backups_intact() {
	local f
	for f in $(cd "$T/r/var/lib/orch/backup/files" 2>/dev/null && find . -type f ! -name '.orch-*' -printf '%P\n'); do
		cmp -s "$T/r/var/lib/orch/backup/files/$f" "$T/pristine/$f" || fail "$1: backup of /$f differs from the original"
	done
}

# A run after the fault brings the node to the new state, with the refreshes done.
completes() {
	"$AGENT" <"$T/plan" >"$T/out2" || fail "$1: the run after the fault failed: $(tail -n3 "$T/out2")"
	node_state "$T/r" | cmp -s - "$T/new" || fail "$1: the run after the fault did not complete the job"
	[[ ! -e $T/r/var/lib/orch/refresh-pending ]] || fail "$1: a refresh is still pending"
	grep -q '^update-initramfs -u -k all' "$T/r/var/log/orch-fixture/commands.log" || fail "$1: initramfs never refreshed"
	grep -q '^proxmox-boot-tool refresh' "$T/r/var/log/orch-fixture/commands.log" || fail "$1: boot entries never refreshed"
	backups_intact "$1"
}

# How many renames an apply makes (file, backup and refresh-mark writes), the
# agent's own: the refresh commands it runs (stand-ins here) rename files too.
fresh
strace -qq -o "$T/trace" -e trace=rename,renameat,renameat2 "$AGENT" <"$T/plan" >/dev/null
renames=$(grep -c 'rename' "$T/trace")
((renames >= 8)) || fail "only $renames renames in an apply"
echo "an apply makes $renames renames"

for ((k = 1; k <= renames; k++)); do
	fresh
	strace -qq -o /dev/null -e trace=rename,renameat,renameat2 -e inject=rename,renameat,renameat2:signal=SIGKILL:when=$k \
		"$AGENT" <"$T/plan" >/dev/null 2>&1 && fail "killed at rename $k, yet it exited 0"
	only_old_or_new "killed at rename $k"
	backups_intact "killed at rename $k"
	completes "killed at rename $k"
done
echo "ok: killed at each of $renames renames: old or new content, backups intact, next run completes"

for fault in ENOSPC EROFS; do
	for k in 2 7; do
		fresh
		rc=0
		strace -f -qq -o /dev/null -e trace=write,rename -e inject=write,rename:error=$fault:when=$k \
			"$AGENT" <"$T/plan" >"$T/out" 2>/dev/null || rc=$?
		# the agent's own result lines are writes too: a failed one may lose a line, never a file
		only_old_or_new "$fault at write $k"
		backups_intact "$fault at write $k"
		if ((rc == 1)); then
			jq -se 'map(select(.status? == "failed")) | length >= 1' "$T/out" >/dev/null 2>&1 ||
				grep -q 'cannot' "$T/out" || true
		fi
		completes "$fault at write $k"
	done
done
echo "ok: ENOSPC and EROFS on writes leave old or new content, and the next run completes"
