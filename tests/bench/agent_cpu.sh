#!/bin/bash
# The agent's own cost on a node: the CPU time (user + sys, from wait4(2),
# so the commands it runs and waits for count too) of orch-agent running the
# plan a warm `orch apply` sends: the facts and every step of a passthrough
# apply on a fixture root that a first run has already applied (0 changed).
# Prints min/median/max over RUNS runs and the machine's load average. Not a
# ctest test: run it by hand.
#   tests/bench/agent_cpu.sh [RUNS]          (default: 30)
# Environment: ORCH_AGENT (default build/agent/orch-agent), FIXTURES
# (build/tests/fixtures/roots), ROOT (zfs-uefi-sdboot) and SELECT (its
# passthrough device, 01:00), CC for tests/bench/rusage.c.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ORCH_AGENT=${ORCH_AGENT:-$top/build/agent/orch-agent}
FIXTURES=${FIXTURES:-$top/build/tests/fixtures/roots}
ROOT=${ROOT:-zfs-uefi-sdboot}
SELECT=${SELECT:-01:00}
RUNS=${1:-30}
[[ -x $ORCH_AGENT ]] || { echo "no agent at $ORCH_AGENT (ORCH_AGENT)" >&2; exit 1; }
[[ -d $FIXTURES/$ROOT ]] || { echo "no fixture root $FIXTURES/$ROOT (cmake --build build --target orch_fixture_roots)" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [RUNS]" >&2; exit 2; }

T=$(mktemp -d /tmp/orch-agent-cpu.XXXXXX)
trap 'rm -rf "$T"' EXIT
"${CC:-cc}" -O2 -o "$T/rusage" "$here/rusage.c"
cp -a "$FIXTURES/$ROOT" "$T/root"

# The plan of controller/plan.c for `orch apply` on a passthrough host with
# the inventory's defaults.
jq -n --arg root "$T/root" --arg sel "$SELECT" '{"version": 1, "host": "bench", "check": false,
	"diff": false, "root": $root, "steps": [
	{"name": "facts"},
	{"name": "devices", "args": {"select": ($sel | split(" ")), "bind_by": "auto"}},
	{"name": "kernel_cmdline", "args": {"iommu_pt": false, "framebuffer": "auto"}},
	{"name": "vfio_modules"},
	{"name": "vfio_bind", "args": {"disable_vga": "auto"}},
	{"name": "host_drivers", "args": {"mode": "auto"}},
	{"name": "unsafe_interrupts", "args": {"mode": "auto"}},
	{"name": "ignore_msrs"},
	{"name": "refresh"}]}' >"$T/plan.json"

# run OUT: one agent run; fails unless it succeeded.
run() {
	"$T/rusage" "$T/time" "$ORCH_AGENT" <"$T/plan.json" >"$1" 2>"$T/err" ||
		{ echo "the agent failed: $(tail -n 3 "$1" "$T/err")" >&2; exit 1; }
}
run "$T/first"
run "$T/warm"
changed=$(jq -r 'select(.type == "summary") | .changed' "$T/warm")
[[ $changed == 0 ]] || { echo "the second run changed $changed (not a warm run)" >&2; exit 1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$T/cpu"
for ((i = 0; i < RUNS; i++)); do
	run "$T/out"
	read -r wall user sys rss <"$T/time"
	echo "$user $sys $wall $rss" >>"$T/cpu"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# stats COLUMN-EXPR UNIT-SCALE: "min median max" of the expression over the runs.
stats() {
	awk "{print $1}" "$T/cpu" | sort -g | awk -v s="$2" '{v[NR] = $1 * s}
		END {printf "%.1f %.1f %.1f", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR]}'
}
printf 'orch-agent %s, root %s, %d warm runs (each 0 changed)\n' "$ORCH_AGENT" "$ROOT" "$RUNS"
printf '%-22s %8s %8s %8s\n' "" min median max
read -r a b c <<<"$(stats '$1 + $2' 1000)"
printf '%-22s %8s %8s %8s\n' "CPU user+sys (ms)" "$a" "$b" "$c"
read -r a b c <<<"$(stats '$1' 1000)"
printf '%-22s %8s %8s %8s\n' "  user (ms)" "$a" "$b" "$c"
read -r a b c <<<"$(stats '$2' 1000)"
printf '%-22s %8s %8s %8s\n' "  sys (ms)" "$a" "$b" "$c"
read -r a b c <<<"$(stats '$3' 1000)"
printf '%-22s %8s %8s %8s\n' "wall (ms)" "$a" "$b" "$c"
read -r a b c <<<"$(stats '$4' 1)"
printf '%-22s %8s %8s %8s\n' "peak RSS (KiB)" "$a" "$b" "$c"
printf 'load average before: %s, after: %s (%s CPUs)\n' "$load_before" "$load_after" "$(nproc)"
