# shellcheck shell=bash
# Sourced by the lab's tests (test-*.sh): checks that count (check and
# checks_done, tests/lib/assert.sh), phases that are timed, and a lab of the
# test's own that is stopped whatever happens.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

T_START=$SECONDS
T_PHASE_START=$SECONDS

phase() {
	printf '\n--- %s (at %d s)\n' "$*" $((SECONDS - T_START))
	T_PHASE_START=$SECONDS
}

# t_lab_start: a fresh lab in ORCH_LAB_RUN (ctest gives each test its own),
# stopped when the test exits.
t_lab_start() {
	export ORCH_LAB_RUN=$LAB_RUN ORCH_LAB_OWNER=$$
	trap '"$LAB_DIR/lab.sh" stop >/dev/null 2>&1 || true' EXIT
	"$LAB_DIR/lab.sh" start --fresh "$@"
}

# has FACTS REGEX: the facts (facts.sh output) hold a line matching REGEX.
has() { grep -qE "$2" <<<"$1"; }
hasnt() { ! grep -qE "$2" <<<"$1"; }

# tools_log NODE: the boot tools the node ran, one run a line.
tools_log() { lab_ssh "$1" cat /var/log/orch-lab/tools.log; }

# t_apply LABEL NODE...: one rollout on the nodes: orch apply on the lab's
# inventory when the controller is built (ORCH_BIN), else orch's agent over
# SSH with the plan the inventory compiles to (agent-apply.sh). Sets
# CHANGED[node] and PENDING[node] (reboot still needed; "?" when unknown).
declare -A CHANGED PENDING
t_apply() {
	local label=$1 node out rc line pending
	shift
	local orch=${ORCH_BIN:-}
	[[ -n $orch && -x $orch ]] || orch=
	if [[ -n $orch ]]; then
		out=$LAB_RUN/orch-$label.out
		rc=0
		"$orch" apply "$LAB_RUN/inventory.ini" --known-hosts "$LAB_RUN/known_hosts" >"$out" 2>&1 || rc=$?
		cat "$out"
		check "orch apply ($label) exits 0" test "$rc" = 0
		pending=$(sed -n 's/^REBOOT PENDING: //p' "$out")
		for node in "$@"; do
			line=$(sed -n "/PLAY RECAP/,\$p" "$out" | grep -E "^$node +:" | tail -n1)
			CHANGED[$node]=$(sed -n 's/.*changed=\([0-9]*\).*/\1/p' <<<"$line")
			if [[ ", $pending, " == *", $node, "* ]]; then PENDING[$node]=true; else PENDING[$node]=false; fi
		done
	else
		for node in "$@"; do
			out=$LAB_RUN/agent-$label-$node.jsonl
			rc=0
			"$LAB_DIR/agent-apply.sh" "$node" >"$out" 2>&1 || rc=$?
			jq -r 'select(.type == "result") | "\(.name): \(.status): \(.msg)"' "$out" 2>/dev/null |
				sed "s/^/  $node: /"
			check "$node: agent apply ($label) exits 0" test "$rc" = 0
			line=$(grep '"type":"summary"' "$out")
			CHANGED[$node]=$(jq -r .changed <<<"$line" 2>/dev/null)
			PENDING[$node]=$(jq -r .reboot_pending <<<"$line" 2>/dev/null)
		done
	fi
}

t_finish() {
	printf '\nlab test: %d s in all\n' $((SECONDS - T_START))
	checks_done
}

# t_vfio_usable NODE: the agent's verify step on the node passes and proves
# each selected device (the GPU's two functions, the second NIC) usable
# through VFIO, opened as QEMU opens it: its "vfio" entries, printed, are
# those three, each "usable": true.
t_vfio_usable() {
	local out want got
	out=$("$LAB_DIR/agent-apply.sh" --verify "$1")
	jq -r 'select(.name == "verify") | "  \(.status): \(.msg)", (.facts.vfio // [] | .[] | "  vfio: \(tojson)")' \
		<<<"$out" 2>/dev/null
	want=$(jq -nc --arg g "$LAB_GPU_SLOT" --arg n "$LAB_NIC2_PCI" '[$g + ".0", $g + ".1", $n] | sort')
	got=$(jq -c 'select(.name == "verify" and .status == "ok") | [.facts.vfio[] | select(.usable == true) | .address] | sort' \
		<<<"$out" 2>/dev/null)
	[[ $got == "$want" ]]
}

# The GPU's audio function moved for a moment between vfio-pci and
# snd_hda_intel through sysfs (unbind, bind): a group with a member on a host
# driver is not viable to VFIO, which the verify must name.
t_gpu_audio_to() {
	local a=$LAB_GPU_SLOT.1 from=$2 to=$3
	lab_ssh "$1" "modprobe $to 2>/dev/null
		echo $a >/sys/bus/pci/drivers/$from/unbind && echo $a >/sys/bus/pci/drivers/$to/bind &&
		test \"\$(basename \"\$(readlink /sys/bus/pci/devices/$a/driver)\")\" = $to"
}

# t_group_hold_named NODE: with the GPU's audio function on snd_hda_intel,
# the agent's verify fails and its entry for the VGA function says that
# VFIO_GROUP_GET_STATUS found the group not viable because of that function.
t_group_hold_named() {
	local out entry group
	out=$("$LAB_DIR/agent-apply.sh" --verify "$1") && return 1
	entry=$(jq -c --arg a "$LAB_GPU_SLOT.0" 'select(.name == "verify") | .facts.vfio[] | select(.address == $a)' <<<"$out")
	echo "  vfio: $entry"
	group=$(jq -r .iommu_group <<<"$entry")
	[[ $(jq -r '[.usable, .step, .error] | @tsv' <<<"$entry") == \
		"$(printf 'false\tVFIO_GROUP_GET_STATUS\tgroup %s is not viable: %s.1 is on snd_hda_intel' "$group" "$LAB_GPU_SLOT")" ]]
}
