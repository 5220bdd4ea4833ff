#!/bin/bash
# A fleet of N fixture nodes in a network namespace of the bench's own, and
# orch against the floor on it. Not a ctest test: run it by hand, as root,
# from a build with tests (`cmake --build build --target orch floor
# delay_proxy orch_fixture_roots`):
#
#   tests/bench/fleet.sh [N]                 (default 1000)
#   DELAY_MS=25 tests/bench/fleet.sh 20      (the latency mode, below)
#
# The fleet. The script re-executes itself under `unshare -n -m -p`: in a
# network, a mount and a PID namespace of its own, all three gone when it
# ends, however it ends (its processes with them). In the network namespace
# lo is up and the whole 127/8 is on it: node i has the address 127.1.X.Y
# (X = (i-1)/250, Y = (i-1)%250+1), an sshd of its own on port 22 (its own
# host key; the config of tests/controller/lib.sh's start_sshd), all started
# at once, and a copy of a fixture root (FLEET_FIXTURE, default
# zfs-uefi-sdboot, whose reboots the bench can emulate) passing its GPU
# through, so that a first apply has work. orch, the floor client and
# ansible-playbook run there too: nothing leaves the namespace. In the mount
# namespace a tmpfs holds the bench's files (the roots: about 2.3 MB a
# node), and an empty file is bound over root's ~/.bashrc, so that no node's
# login shell pays the machine's `pyenv init` (the machine's own file is
# left as it is; the bench checks once that a node's shell sees no
# PYENV_ROOT, and prints how long one `ssh node echo` takes).
#
# What it measures, REPEAT times each (min/median/max of wall, CPU user+sys
# and peak RSS, from tests/bench/rusage.c), at --forks FORKS, each against
# the floor:
#   floor    tests/bench/floor.c: connect, check the host key, log in with
#            one key, run `true`, read to EOF; one thread, as orch's engine
#   cold     `orch apply --reboot never` on fresh roots (the agent's upload
#            and every change)
#   warm     the same again (agent present, changed=0)
#   facts    `orch facts`
#   reboot   `orch rollback --serial SERIAL` with emulated reboots (each
#            node's `systemctl reboot` makes a new boot_id at once, as
#            reboot.sh does): orch's threads and RSS read from /proc every
#            50 ms, reported per batch (they should stay flat)
# then FORKS_SWEEP: warm apply and the floor at each --forks given. Every
# run's outcome is checked (unreachable=0 failed=0 for every node, changed=0
# when warm, facts' exit status 0, every node back and verified after the
# reboot): a broken run stops the bench rather than being reported as fast.
# The load average is printed before and after, with orch's commit.
#
# The latency mode (DELAY_MS > 0): every connection goes through
# tests/bench/delay_proxy.c, listening on 127.2.X.Y:2222 for node
# 127.1.X.Y:22 and holding each byte DELAY_MS each way (RATE_MBIT: also a
# link of that rate per connection and direction). It measures the floor,
# orch warm, orch on fresh nodes and ansible-playbook on fresh nodes (the
# playbook of apply.sh, pipelining and ControlPersist on; up to ANSIBLE_MAX
# nodes), with the ratios the targets name: warm / floor, fresh against
# floor + 4 round trips + the agent's upload at the link's rate, ansible /
# orch fresh. Round trips per node come from the proxy (the client's turns:
# it sent after receiving since its last send, its last words, the channel's
# close and the disconnect, among them; TCP's handshake is not, the kernel
# answers the SYN) and, for one node at --forks 1, from the wall time: (time
# with the delay - time without) / (2 * DELAY_MS). This mode runs neither
# facts, the reboot nor the sweep.
#
# Environment: ORCH (default build/controller/orch), ORCH_AGENT (the agent
# it embeds, for its size: build/agent/orch-agent), BENCH_BIN (floor,
# delay_proxy: build/tests/bench), FIXTURES (build/tests/fixtures/roots),
# FLEET_FIXTURE, FORKS (100), REPEAT (3), FORKS_SWEEP ("20 50 100 200"; empty
# for none), SERIAL (10%), SKIP ("" or words of: cold warm facts floor
# reboot sweep), DELAY_MS (0), RATE_MBIT (0: none), ANSIBLE_MAX (20),
# ANSIBLE_REPEAT (1). A kill -9 of the bench leaves only an empty
# /tmp/orch-bench.* directory behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [[ ${ORCH_FLEET_INNER:-} != 1 ]]; then
	((EUID == 0)) || { echo "fleet.sh: needs root (network namespace, sshd with root logins)" >&2; exit 1; }
	# Network, mount and PID namespaces of its own: whatever ends the
	# bench, its fleet, its addresses and its files end with it.
	exec env ORCH_FLEET_INNER=1 unshare -n -m -p -f --kill-child --mount-proc --propagation private "$0" "$@"
fi

ORCH=${ORCH:-$top/build/controller/orch}
ORCH=$(realpath "$ORCH")
ORCH_AGENT=${ORCH_AGENT:-$(dirname "$ORCH")/../agent/orch-agent}
BENCH_BIN=${BENCH_BIN:-$top/build/tests/bench}
FIXTURES=${FIXTURES:-$top/build/tests/fixtures/roots}
FLEET_FIXTURE=${FLEET_FIXTURE:-zfs-uefi-sdboot}
N=${1:-1000}
FORKS=${FORKS:-100}
REPEAT=${REPEAT:-3}
FORKS_SWEEP=${FORKS_SWEEP-20 50 100 200}
SERIAL=${SERIAL:-10%}
SKIP=${SKIP:-}
DELAY_MS=${DELAY_MS:-0}
RATE_MBIT=${RATE_MBIT:-0}
ANSIBLE_MAX=${ANSIBLE_MAX:-20}
ANSIBLE_REPEAT=${ANSIBLE_REPEAT:-1}
SSHD=${SSHD:-/usr/sbin/sshd}
PROXY_PORT=2222

die() {
	echo "fleet.sh: $*" >&2
	exit 1
}
[[ -x $ORCH ]] || die "no orch at $ORCH (ORCH)"
[[ -x $BENCH_BIN/floor && -x $BENCH_BIN/delay_proxy ]] ||
	die "no floor or delay_proxy in $BENCH_BIN (cmake --build build --target floor delay_proxy)"
[[ -d $FIXTURES/$FLEET_FIXTURE ]] ||
	die "no fixture root $FIXTURES/$FLEET_FIXTURE (cmake --build build --target orch_fixture_roots)"
((N >= 1 && N <= 62500)) || die "N must be 1..62500"
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

T=$(mktemp -d /tmp/orch-bench.XXXXXX)
PROXY_PID=

cleanup() {
	set +e
	# the kernel ends whatever is left when this script, the PID
	# namespace's first process, exits
	[[ -s $T/sshd.pids ]] && xargs kill <"$T/sshd.pids" 2>/dev/null
	[[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null
	umount -l "$T" 2>/dev/null
	rmdir "$T" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount -t tmpfs -o mode=0700 tmpfs "$T"
mkdir -p "$T/hosts" "$T/roots" "$T/home" "$T/pristine" /run/sshd
: >"$T/empty-bashrc"
# What the nodes' login shells would read. Bound over in this mount
# namespace alone; the machine's own file stays as it is.
[[ -e /root/.bashrc ]] && mount --bind "$T/empty-bashrc" /root/.bashrc

ip link set lo up
# what runs in the fleet's network namespace: here, everything
nsx() { "$@"; }

"${CC:-cc}" -O2 -o "$T/rusage" "$here/rusage.c" || die "cannot build $here/rusage.c"
ssh-keygen -q -t ed25519 -N '' -C orch-bench -f "$T/id_ed25519"
cp "$T/id_ed25519.pub" "$T/authorized_keys"
cp -a "$FIXTURES/$FLEET_FIXTURE" "$T/pristine/root"

source "$top/tests/controller/fixture_node_lib.sh"
PASSTHROUGH=$(pick_passthrough "$T/pristine/root")
[[ -n $PASSTHROUGH ]] || die "fixture '$FLEET_FIXTURE' has no display device to pass through"

node_name() { printf 'node%04d' "$1"; }
node_addr() { echo "127.$2.$((($1 - 1) / 250)).$((($1 - 1) % 250 + 1))"; }

# --- the fleet ------------------------------------------------------------
echo "== $N nodes in a network namespace of their own (nsenter -t $$ -n from outside), fixture $FLEET_FIXTURE, $(nproc) CPUs" >&2
echo "load before: $(cat /proc/loadavg)"
echo "orch: $ORCH ($(git -C "$(dirname "$ORCH")" describe --always --dirty 2>/dev/null || echo 'commit unknown'))"
t_setup=$SECONDS
for ((i = 1; i <= N; i++)); do
	d=$T/hosts/$i
	mkdir -p "$d"
	cat >"$d/sshd_config" <<-CONF
	Port 22
	ListenAddress $(node_addr "$i" 1)
	HostKey $d/ssh_host_ed25519_key
	PidFile none
	AuthorizedKeysFile $T/authorized_keys
	StrictModes no
	PermitRootLogin prohibit-password
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	UseDNS no
	MaxStartups 1000
	MaxSessions 20
	LogLevel VERBOSE
	Subsystem sftp /usr/lib/openssh/sftp-server
	CONF
done
# Keys and roots, two at a time.
seq 1 "$N" | xargs -P 2 -I{} ssh-keygen -q -t ed25519 -N '' -C 'node{}' -f "$T/hosts/{}/ssh_host_ed25519_key"
reset_roots() {
	# shellcheck disable=SC2016
	seq -f '%04g' 1 "$N" | xargs -P 2 -n 50 sh -c 'for i; do rm -rf "$0/roots/node$i"; cp -a "$0/pristine/root" "$0/roots/node$i"; done' "$T"
}
reset_roots
# Every sshd, started at once, by one shell inside the namespace.
for ((i = 1; i <= N; i++)); do
	echo "$SSHD -D -f $T/hosts/$i/sshd_config -E $T/hosts/$i/sshd.log & echo \$! >>$T/sshd.pids"
done >"$T/start-sshd.sh"
echo wait >>"$T/start-sshd.sh"
nsx bash "$T/start-sshd.sh" 2>"$T/start-sshd.log" &
disown
for ((w = 0; ; w++)); do
	listening=$(nsx ss -Hltn 'sport = :22' | wc -l)
	((listening >= N)) && break
	((w < 600)) || die "only $listening of $N sshd listen after 60 s (see $T/hosts/*/sshd.log)"
	sleep 0.1
done
: >"$T/known_hosts"
for ((i = 1; i <= N; i++)); do
	echo "$(node_addr "$i" 1) $(cut -d' ' -f1,2 "$T/hosts/$i/ssh_host_ed25519_key.pub")"
done >"$T/known_hosts.direct"

# write_inventory FILE OCTET PORT REBOOT [FIRST LAST]: the inventory of the
# nodes at 127.OCTET.X.Y:PORT, and beside it FILE.hosts for the floor.
write_inventory() {
	local file=$1 octet=$2 port=$3 reboot=$4 first=${5:-1} last=${6:-$N} i
	{
		echo "[nodes]"
		for ((i = first; i <= last; i++)); do
			echo "$(node_name "$i") ansible_host=$(node_addr "$i" "$octet") ansible_port=$port orch_root=$T/roots/$(node_name "$i") passthrough=$PASSTHROUGH"
		done
		echo
		echo "[nodes:vars]"
		echo "ansible_user=root"
		echo "reboot=$reboot"
		echo "ansible_ssh_private_key_file=$T/id_ed25519"
	} >"$file"
	for ((i = first; i <= last; i++)); do
		echo "$(node_addr "$i" "$octet") $port"
	done >"$file.hosts"
}

if ((DELAY_MS > 0)); then
	rate=()
	[[ $RATE_MBIT != 0 ]] && rate=(--rate "$RATE_MBIT")
	"$BENCH_BIN/delay_proxy" --port "$PROXY_PORT" --delay "$DELAY_MS" "${rate[@]}" --stats "$T/turns" \
		2>"$T/proxy.log" &
	PROXY_PID=$!
	disown
	for ((i = 1; i <= N; i++)); do
		echo "[$(node_addr "$i" 2)]:$PROXY_PORT $(cut -d' ' -f1,2 "$T/hosts/$i/ssh_host_ed25519_key.pub")"
	done >"$T/known_hosts"
	cat "$T/known_hosts.direct" >>"$T/known_hosts"
	write_inventory "$T/inventory.ini" 2 "$PROXY_PORT" never
	for _ in $(seq 50); do nsx ss -Hltn "sport = :$PROXY_PORT" | grep -q . && break; sleep 0.1; done
else
	cp "$T/known_hosts.direct" "$T/known_hosts"
	write_inventory "$T/inventory.ini" 1 22 never
fi
write_inventory "$T/inventory-reboot.ini" 1 22 auto

# The trap: a node's login shell must not read the machine's ~/.bashrc.
# shellcheck disable=SC2016
first=$(head -n1 "$T/inventory.ini.hosts")
ssh_o=(-F none -o BatchMode=yes -i "$T/id_ed25519" -o UserKnownHostsFile="$T/known_hosts")
t0=$(date +%s.%N)
seen=$(nsx ssh "${ssh_o[@]}" -p "${first#* }" "root@${first% *}" 'echo "[${PYENV_ROOT:-}]"') ||
	die "cannot log in to ${first% *} (see $T/hosts/1/sshd.log)"
t1=$(date +%s.%N)
[[ $seen == "[]" ]] || die "a node's login shell read root's ~/.bashrc (PYENV_ROOT=$seen)"
printf 'fleet up in %d s; a node'\''s shell sees no PYENV_ROOT; ssh ... echo: %.3f s\n' \
	$((SECONDS - t_setup)) "$(echo "$t1 - $t0" | bc -l)"

# --- measuring ------------------------------------------------------------
declare -A WALLS=() CPUS=() RSSS=()
orch_env=(env -u SSH_AUTH_SOCK NO_COLOR=1 HOME="$T/home")

# measure NAME CMD...: runs CMD inside the namespace under rusage; its
# output in $T/log.NAME; adds its wall, CPU and RSS to NAME's; sets RC.
measure() {
	local name=$1 wall user sys rss
	shift
	set +e
	nsx "$T/rusage" "$T/time.$name" "$@" >"$T/log.$name" 2>&1
	RC=$?
	set -e
	read -r wall user sys rss <"$T/time.$name"
	WALLS[$name]+=" $wall"
	CPUS[$name]+=" $(echo "$user + $sys" | bc -l)"
	RSSS[$name]+=" $rss"
}

broken() {
	echo "--- $T/log.$1:" >&2
	tail -n 20 "$T/log.$1" >&2
	die "$2"
}

# recap_ok NAME N [WARM]: NAME's PLAY RECAP has N nodes, each
# unreachable=0 failed=0 (and changed=0 when WARM).
recap_ok() {
	local want='unreachable=0 +failed=0' got
	[[ ${3:-} == warm ]] && want='changed=0 +unreachable=0 +failed=0'
	got=$(grep -cE "^node[0-9]+ +: .*$want" "$T/log.$1" || true)
	((got == $2))
}

run_floor() { # NAME INVENTORY FORKS
	measure "$1" "$BENCH_BIN/floor" --forks "$3" --known-hosts "$T/known_hosts" -i "$T/id_ed25519" "$2.hosts"
	((RC == 0)) || broken "$1" "the floor failed"
}
run_apply() { # NAME INVENTORY FORKS cold|warm N
	measure "$1" "${orch_env[@]}" "$ORCH" apply "$2" --known-hosts "$T/known_hosts" --forks "$3" --reboot never
	local want="unreachable=0 failed=0"
	[[ $4 == warm ]] && want="changed=0 $want"
	recap_ok "$1" "$5" "$4" || broken "$1" "$4 apply: not every node has $want"
}
run_facts() { # NAME INVENTORY FORKS
	measure "$1" "${orch_env[@]}" "$ORCH" facts "$2" --known-hosts "$T/known_hosts" --forks "$3"
	((RC == 0)) || broken "$1" "facts exited $RC"
}

# stats LIST: min median max of the numbers in LIST.
stats() {
	# shellcheck disable=SC2086
	printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)], a[NR]}'
}
med() { stats "$1" | cut -d' ' -f2; }

# row NAME LABEL: the figures of NAME, and its median wall and CPU against
# the floor's (FLOOR_OF, default floor).
row() {
	local name=$1 label=$2 ref=${3:-floor} w c r
	read -r -a w <<<"$(stats "${WALLS[$name]}")"
	read -r -a c <<<"$(stats "${CPUS[$name]}")"
	read -r -a r <<<"$(stats "${RSSS[$name]}")"
	printf '%-30s %6.2f %6.2f %6.2f s  %6.2f %6.2f %6.2f s  %6.1f %6.1f %6.1f MiB' "$label" \
		"${w[@]}" "${c[@]}" "$(echo "${r[0]} / 1024" | bc -l)" "$(echo "${r[1]} / 1024" | bc -l)" \
		"$(echo "${r[2]} / 1024" | bc -l)"
	if [[ -n ${WALLS[$ref]:-} && $name != "$ref" ]]; then
		printf '  %5.2fx %5.2fx %5.2fx' "$(echo "${w[1]} / $(med "${WALLS[$ref]}")" | bc -l)" \
			"$(echo "${c[1]} / $(med "${CPUS[$ref]}")" | bc -l)" \
			"$(echo "${r[1]} / $(med "${RSSS[$ref]}")" | bc -l)"
	fi
	echo
}
header() {
	printf '%-30s %20s  %20s  %22s  %s\n' "" "wall min/med/max" "CPU min/med/max" "peak RSS min/med/max" \
		"/ floor: wall CPU RSS"
}

# --- the emulated rolling reboot -------------------------------------------
# rolling_reboot RUN: an apply (not measured), then the measured rollback
# with orch's threads and RSS sampled; the samples in $T/samples.RUN.
rolling_reboot() {
	local run=$1 runner pid threads rss back k v _
	run_apply reboot-apply "$T/inventory-reboot.ini" "$FORKS" cold "$N"
	: >"$T/log.reboot"
	"$T/rusage" "$T/time.reboot" "${orch_env[@]}" "$ORCH" rollback "$T/inventory-reboot.ini" \
		--known-hosts "$T/known_hosts" --forks "$FORKS" --serial "$SERIAL" >"$T/log.reboot" 2>&1 &
	runner=$!
	pid=
	while [[ -z $pid ]] && kill -0 "$runner" 2>/dev/null; do
		pid=$(pgrep -P "$runner" -x orch || true)
		sleep 0.005
	done
	: >"$T/samples.$run"
	while [[ -n $pid && -r /proc/$pid/status ]]; do
		threads='' rss=''
		while read -r k v _; do
			case $k in
			Threads:) threads=$v ;;
			VmRSS:) rss=$v ;;
			esac
		done <"/proc/$pid/status" 2>/dev/null || true
		back=$(grep -c "reboot: back after" "$T/log.reboot" || true)
		[[ -n $threads && -n $rss ]] && echo "$threads $rss $back" >>"$T/samples.$run"
		sleep 0.05
	done
	wait "$runner" || true
	read -r wall user sys rss <"$T/time.reboot"
	WALLS[reboot]+=" $wall"
	CPUS[reboot]+=" $(echo "$user + $sys" | bc -l)"
	RSSS[reboot]+=" $rss"
	grep -q "PLAY RECAP" "$T/log.reboot" || broken reboot "orch rollback did not finish"
	back=$(grep -c "reboot: back after" "$T/log.reboot" || true)
	((back == N)) || broken reboot "$back of $N nodes came back"
	v=$(grep -c "verify: the fresh boot runs the configured state" "$T/log.reboot" || true)
	((v == N)) || broken reboot "$v of $N nodes verified"
	recap_ok reboot "$N" || broken reboot "not every node ok"
}

# reboot_batches RUN: the most threads and the peak RSS of each batch.
reboot_batches() {
	local size
	if [[ $SERIAL == *% ]]; then size=$((N * ${SERIAL%\%} / 100)); else size=$SERIAL; fi
	((size >= 1)) || size=1
	awk -v size="$size" '{b = int($3 / size) + 1; if ($1 > t[b]) t[b] = $1; if ($2 > r[b]) r[b] = $2; if (b > m) m = b}
		END {printf "  threads per batch:"; for (b = 1; b <= m; b++) printf " %d", t[b]
		     printf "\n  peak RSS per batch (MiB):"; for (b = 1; b <= m; b++) printf " %.1f", r[b] / 1024; printf "\n"}' \
		"$T/samples.$1"
}

# --- the latency mode ------------------------------------------------------
# turns_reset; turns_read NAME: the proxy's count of the round trips of the
# connections since the reset, as "per node: median turns, connections".
turns_reset() {
	rm -f "$T/turns"
	kill -USR1 "$PROXY_PID"
	for _ in $(seq 100); do [[ -e $T/turns ]] && break; sleep 0.02; done
}
turns_read() {
	# the last bytes still cross the proxy for DELAY_MS after the client ends
	sleep "$(echo "2 * $DELAY_MS / 1000 + 0.2" | bc -l)"
	turns_reset
	awk '{t[$1] += $2; c[$1]++} END {for (a in t) print t[a], c[a]}' "$T/turns" | sort -n |
		awk '{a[NR] = $1; c[NR] = $2} END {m = int((NR + 1) / 2); printf "%d %d %d %d\n", a[1], a[m], a[NR], c[m]}' \
			>"$T/turns.$1"
	cat "$T/turns.$1" >>"$T/turns-all.$1"
}

ansible_setup() {
	# apply.sh's configuration and playbook, as it writes them
	# shellcheck disable=SC1090
	source <(sed -n '/^ansible_files() {/,/^}/p' "$here/apply.sh")
	ansible_files
}
ansible_close() {
	local sock
	for sock in "$T"/home/.ansible/cp/*; do
		if [[ -S $sock ]]; then nsx ssh -o ControlPath="$sock" -O exit dummy >/dev/null 2>&1 || true; fi
	done
}

latency() {
	local i n1="$T/inventory-one.ini" d1="$T/inventory-one-direct.ini" agent_bytes target
	turns_reset
	for ((i = 0; i < REPEAT; i++)); do
		reset_roots
		turns_reset
		run_apply fresh "$T/inventory.ini" "$FORKS" cold "$N"
		turns_read fresh
		run_apply warm "$T/inventory.ini" "$FORKS" warm "$N"
		turns_read warm
		run_floor floor "$T/inventory.ini" "$FORKS"
		turns_read floor
	done
	if command -v ansible-playbook >/dev/null && ((N <= ANSIBLE_MAX)); then
		ansible_setup
		for ((i = 0; i < ANSIBLE_REPEAT; i++)); do
			reset_roots
			turns_reset
			measure ansible env ANSIBLE_CONFIG="$T/ansible.cfg" HOME="$T/home" ansible-playbook \
				-i "$T/inventory.ini" "$T/site.yml"
			ansible_close
			turns_read ansible
			recap_ok ansible "$N" || broken ansible "ansible-playbook: not every node ok"
		done
	fi
	# One node, --forks 1, with the delay and without.
	write_inventory "$n1" 2 "$PROXY_PORT" never 1 1
	write_inventory "$d1" 1 22 never 1 1
	for ((i = 0; i < REPEAT; i++)); do
		rm -rf "$T/roots/node0001" && cp -a "$T/pristine/root" "$T/roots/node0001"
		run_apply one-fresh-delay "$n1" 1 cold 1
		run_apply one-warm-delay "$n1" 1 warm 1
		run_floor one-floor-delay "$n1" 1
		rm -rf "$T/roots/node0001" && cp -a "$T/pristine/root" "$T/roots/node0001"
		run_apply one-fresh-direct "$d1" 1 cold 1
		run_apply one-warm-direct "$d1" 1 warm 1
		run_floor one-floor-direct "$d1" 1
	done

	agent_bytes=$(stat -c %s "$ORCH_AGENT" 2>/dev/null || echo 0)
	echo
	echo "== $N nodes, $DELAY_MS ms each way$([[ $RATE_MBIT == 0 ]] || echo ", a link of $RATE_MBIT Mbit/s"), --forks $FORKS, $REPEAT runs (ansible $ANSIBLE_REPEAT)"
	header
	row floor "floor"
	row warm "orch apply, warm"
	row fresh "orch apply, fresh nodes"
	[[ -n ${WALLS[ansible]:-} ]] && row ansible "ansible-playbook, fresh"
	local fl wa fr an rt
	fl=$(med "${WALLS[floor]}") wa=$(med "${WALLS[warm]}") fr=$(med "${WALLS[fresh]}")
	rt=$(echo "2 * $DELAY_MS / 1000" | bc -l)
	target=$(echo "$fl + 4 * $rt" | bc -l)
	if [[ $RATE_MBIT != 0 ]]; then
		target=$(echo "$target + $agent_bytes * 8 / ($RATE_MBIT * 1000000)" | bc -l)
	fi
	printf '  %-44s %6.2f  (target <= 1.05)\n' "warm / floor" "$(echo "$wa / $fl" | bc -l)"
	printf '  %-44s %6.2f s against %.2f s: %.2fx  (target <= 1)\n' \
		"fresh, against floor + 4 round trips + upload" "$fr" "$target" "$(echo "$fr / $target" | bc -l)"
	printf '  %-44s %6.2f  (agent %d bytes)\n' "fresh / floor" "$(echo "$fr / $fl" | bc -l)" "$agent_bytes"
	if [[ -n ${WALLS[ansible]:-} ]]; then
		an=$(med "${WALLS[ansible]}")
		printf '  %-44s %6.1f  (target >= 30)\n' "ansible / orch fresh" "$(echo "$an / $fr" | bc -l)"
	fi
	echo "  round trips per node, from the proxy (the client's turns, per run: min median max over the nodes; connections a node):"
	for k in floor warm fresh ansible; do
		[[ -s $T/turns-all.$k ]] || continue
		printf '    %-10s' "$k"
		while read -r a b c d; do printf '  %s/%s/%s (%s conn)' "$a" "$b" "$c" "$d"; done <"$T/turns-all.$k"
		echo
	done
	echo "  round trips of one node at --forks 1, from the wall time: (median with the delay - without) / (2 x $DELAY_MS ms):"
	for k in floor warm fresh; do
		printf '    %-10s %6.1f  (%.3f s with, %.3f s without)\n' "$k" \
			"$(echo "($(med "${WALLS[one-$k-delay]}") - $(med "${WALLS[one-$k-direct]}")) / $rt" | bc -l)" \
			"$(med "${WALLS[one-$k-delay]}")" "$(med "${WALLS[one-$k-direct]}")"
	done
}

# --- the runs ---------------------------------------------------------------
if ((DELAY_MS > 0)); then
	latency
	echo "load after: $(cat /proc/loadavg)"
	exit 0
fi

for ((i = 0; i < REPEAT; i++)); do
	echo "-- run $((i + 1)) of $REPEAT" >&2
	if ! skipped cold; then
		((i == 0)) || reset_roots
		run_apply cold "$T/inventory.ini" "$FORKS" cold "$N"
	elif ((i == 0)); then
		# what follows wants nodes with the agent and the change
		run_apply prepare "$T/inventory.ini" "$FORKS" cold "$N"
	fi
	skipped warm || run_apply warm "$T/inventory.ini" "$FORKS" warm "$N"
	skipped facts || run_facts facts "$T/inventory.ini" "$FORKS"
	skipped floor || run_floor floor "$T/inventory.ini" "$FORKS"
done
if ! skipped sweep && [[ -n $FORKS_SWEEP ]]; then
	for f in $FORKS_SWEEP; do
		echo "-- --forks $f" >&2
		for ((i = 0; i < REPEAT; i++)); do
			run_apply "warm-f$f" "$T/inventory.ini" "$f" warm "$N"
			run_floor "floor-f$f" "$T/inventory.ini" "$f"
		done
	done
fi
if ! skipped reboot; then
	for ((i = 1; i <= N; i++)); do reboots_at_once "$T/roots/$(node_name "$i")"; done
	for ((i = 0; i < REPEAT; i++)); do
		echo "-- rolling reboot $((i + 1)) of $REPEAT" >&2
		rolling_reboot "$i"
	done
fi

echo
echo "== $N nodes, --forks $FORKS, $REPEAT runs each, $(nproc) CPUs"
header
for k in floor warm cold facts reboot; do
	[[ -n ${WALLS[$k]:-} ]] || continue
	case $k in
	floor) l="floor (libssh, true)" ;;
	warm) l="orch apply, warm" ;;
	cold) l="orch apply, cold" ;;
	facts) l="orch facts" ;;
	reboot) l="orch rollback --serial $SERIAL" ;;
	esac
	row "$k" "$l"
done
if [[ -n ${WALLS[reboot]:-} ]]; then
	echo "rolling reboot, orch's threads and RSS per batch (sampled every 50 ms):"
	for ((i = 0; i < REPEAT; i++)); do reboot_batches "$i"; done
fi
if ! skipped sweep && [[ -n $FORKS_SWEEP ]]; then
	echo "forks sweep (warm apply and the floor at each --forks):"
	header
	for f in $FORKS_SWEEP; do
		row "floor-f$f" "floor, --forks $f"
		row "warm-f$f" "orch warm, --forks $f" "floor-f$f"
	done
fi
echo "load after: $(cat /proc/loadavg)"
