#!/bin/bash
# Peak RSS of orch's --json reports on N inventory hosts (all behind one
# sshd and one fixture root, so that the nodes cost the machine little):
# `orch facts --json` and `orch apply --check --json`, REPEAT runs each,
# for each orch binary given (default: build/controller/orch). With two
# binaries it also checks that both write the same facts document, byte for
# byte. Not a ctest test: run it by hand, as root:
#   tests/bench/json_report.sh [ORCH...]
# Environment: N (500), REPEAT (3), FORKS (50), ORCH_AGENT and FIXTURES as
# for tests/controller (defaults: build/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bins=("$@")
((${#bins[@]})) || bins=("$top/build/controller/orch")
export ORCH=${bins[0]}
export ORCH_AGENT=${ORCH_AGENT:-$top/build/agent/orch-agent}
export FIXTURES=${FIXTURES:-$top/build/tests/fixtures/roots}
N=${N:-500}
REPEAT=${REPEAT:-3}
FORKS=${FORKS:-50}
source "$top/tests/controller/lib.sh"
fleet 1 zfs-uefi-sdboot
h=${HOSTS[0]}
{
	echo "[nodes]"
	for ((i = 1; i <= N; i++)); do
		echo "n$i ansible_host=$ADDR ansible_port=${PORT[$h]} orch_root=${ROOT[$h]} passthrough=01:00"
	done
	echo "[nodes:vars]"
	echo "ansible_user=root"
	echo "reboot=never"
	echo "ansible_ssh_private_key_file=$T/id_ed25519"
} >"$T/big.ini"
echo "$N hosts, --forks $FORKS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for bin in "${bins[@]}"; do
	for cmd in "facts" "apply --check"; do
		rss=()
		for ((r = 1; r <= REPEAT; r++)); do
			# shellcheck disable=SC2086 # cmd is two words
			/usr/bin/time -f "%M" -o "$T/rss" env -u SSH_AUTH_SOCK "$bin" $cmd "$T/big.ini" "${KH[@]}" \
				--forks "$FORKS" --json >"$T/out.json" 2>"$T/err" && rc=0 || rc=$?
			# facts: 0; apply --check on fresh nodes: drift (8)
			[[ $rc == 0 || $rc == 8 ]] || fail "$bin $cmd exited $rc: $(tail -n3 "$T/err")"
			jq -e ".hosts | length == $N" "$T/out.json" >/dev/null || fail "$bin $cmd: not $N hosts in the document"
			rss+=($(($(tail -n1 "$T/rss") / 1024)))
		done
		printf '%-50s %-14s peak RSS (MiB) %s, %s bytes of JSON\n' "$bin" "$cmd" "$(printf '%s\n' "${rss[@]}" | sort -n | tr '\n' ' ')" \
			"$(wc -c <"$T/out.json")"
	done
done
if ((${#bins[@]} == 2)); then
	env -u SSH_AUTH_SOCK "${bins[0]}" facts "$T/big.ini" "${KH[@]}" --forks "$FORKS" --json >"$T/a.json" 2>/dev/null
	env -u SSH_AUTH_SOCK "${bins[1]}" facts "$T/big.ini" "${KH[@]}" --forks "$FORKS" --json >"$T/b.json" 2>/dev/null
	cmp -s "$T/a.json" "$T/b.json" && echo "facts --json: the same bytes from both" || fail "the facts documents differ"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
