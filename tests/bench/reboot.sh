#!/bin/bash
# A rolling reboot of N loopback nodes (one real sshd each, a fixture root
# each) with emulated reboots: `orch rollback --serial SERIAL` after an apply,
# each node's `systemctl reboot` making a new boot_id at once (the first try
# to reach the fresh boot comes after orch's first pause, 2 s). While orch
# runs, its thread count and RSS are read from /proc every 20 ms; the report
# gives, per batch, the most threads and the peak RSS seen while it ran, and
# for the whole run the wall time, orch's CPU time and peak RSS. A rollout
# whose cost grows with its batches shows here. Not a ctest test: run it by
# hand, as root:
#   tests/bench/reboot.sh [N]            (default: 100)
# Environment: ORCH, ORCH_AGENT, FIXTURES as for tests/controller, SERIAL
# (10%), FORKS (20).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export ORCH=${ORCH:-$top/build/controller/orch}
export ORCH_AGENT=${ORCH_AGENT:-$top/build/agent/orch-agent}
export FIXTURES=${FIXTURES:-$top/build/tests/fixtures/roots}
[[ -d $FIXTURES ]] || { echo "no fixture roots at $FIXTURES (cmake --build build --target orch_fixture_roots)" >&2; exit 1; }
N=${1:-100}
SERIAL=${SERIAL:-10%}
FORKS=${FORKS:-20}
command -v "${CC:-cc}" >/dev/null || { echo "needs a C compiler (CC, default cc) for rusage.c" >&2; exit 1; }

source "$top/tests/controller/lib.sh"
"${CC:-cc}" -O2 -o "$T/rusage" "$here/rusage.c" || fail "cannot build $here/rusage.c"

echo "== $N nodes: fleet" >&2
fleet_with_work "$N" zfs-uefi-sdboot
orch apply "$T/inventory.ini" "${KH[@]}" --forks "$FORKS" --reboot never
expect_rc 0
for h in "${HOSTS[@]}"; do reboots_at_once "${ROOT[$h]}"; done
FLEET_REBOOT=auto write_inventory

echo "== orch rollback --serial $SERIAL" >&2
env -u SSH_AUTH_SOCK NO_COLOR=1 "$T/rusage" "$T/time.rollback" "$ORCH" rollback "$T/inventory.ini" "${KH[@]}" \
	--forks "$FORKS" --serial "$SERIAL" >"$T/out" 2>&1 &
runner=$!
# orch is the runner's child
pid=
while [[ -z $pid ]] && kill -0 "$runner" 2>/dev/null; do
	pid=$(pgrep -P "$runner" -x orch || true)
	sleep 0.005
done
: >"$T/samples"
while [[ -n $pid && -r /proc/$pid/status ]]; do
	threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	back=$(grep -c "reboot: back after" "$T/out" || true)
	[[ -n $threads ]] && echo "$threads $rss $back" >>"$T/samples"
	sleep 0.02
done
wait "$runner" || true
grep -q "PLAY RECAP" "$T/out" || fail "orch rollback did not finish"
back=$(grep -c "reboot: back after" "$T/out" || true)
((back == N)) || fail "$back of $N nodes came back"
verified=$(grep -c "verify: the fresh boot runs the configured state" "$T/out" || true)
((verified == N)) || fail "$verified of $N nodes verified"
read -r wall user sys rss <"$T/time.rollback"

# The batch a sample falls in: how many nodes were back when it was taken,
# in batches of the size --serial gives.
if [[ $SERIAL == *% ]]; then size=$((N * ${SERIAL%\%} / 100)); else size=$SERIAL; fi
((size >= 1)) || size=1
echo
echo "orch rollback of $N nodes, --serial $SERIAL ($size a batch), --forks $FORKS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %8s %12s %8s\n' batch threads "peak RSS" samples
awk -v size="$size" '{b = int($3 / size) + 1; if ($1 > t[b]) t[b] = $1; if ($2 > r[b]) r[b] = $2; n[b]++; if (b > m) m = b}
	END {for (b = 1; b <= m; b++) printf "%-7d %8d %9.1f MiB %8d\n", b, t[b], r[b] / 1024, n[b]}' "$T/samples"
printf 'wall %.2f s, CPU %.2f s (%.1f ms a node), peak RSS %.1f MiB, most threads %d\n' "$wall" \
	"$(echo "$user + $sys" | bc -l)" "$(echo "($user + $sys) * 1000 / $N" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
	"$(sort -n "$T/samples" | tail -n1 | cut -d' ' -f1)"
