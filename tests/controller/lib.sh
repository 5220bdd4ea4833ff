# Shared by the controller's integration tests and the apply benchmark:
# starts one real OpenSSH sshd per host on 127.0.0.1 (its own host key, a
# test user key, PermitRootLogin prohibit-password), gives each host a copy of
# a fixture node root, and writes the inventory, known_hosts and key orch
# uses. Everything lives in $T and is removed, sshd processes included, when
# the test exits however it exits.
#
# Environment: ORCH (the orch binary), ORCH_AGENT (the orch-agent it
# carries, for tests that wrap or copy it), FIXTURES (the build's fixture
# roots, build/tests/fixtures/roots). ORCH_TEST_KEEP=1 keeps $T for a look
# afterwards; ORCH_TEST_FIXTURES and ORCH_TEST_FIXTURE pick other roots;
# ORCH_TEST_SSHD_LOGLEVEL=DEBUG3 has each sshd log every channel's state
# (in $T/hosts/<host>/sshd.log).

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixture_node_lib.sh"

: "${ORCH:?ORCH must name the orch binary}"
: "${ORCH_AGENT:?ORCH_AGENT must name orch-agent}"
: "${FIXTURES:?FIXTURES must name the fixture roots (build/tests/fixtures/roots)}"
FIXTURES=${ORCH_TEST_FIXTURES:-$FIXTURES}
# orch sends the agent built into it; tests name ORCH_AGENT to orch only
# when they want another one sent (a stand-in that lies, say).
export -n ORCH_AGENT
SSHD=${SSHD:-/usr/sbin/sshd}
# The nodes' address: 127.0.0.1, or ::1 for the IPv6 test.
ADDR=${ORCH_TEST_ADDR:-127.0.0.1}

# Tests are ctest's: 77 is "skipped" (SKIP_RETURN_CODE).
if ((EUID != 0)); then
	echo "skip: needs root (sshd with PermitRootLogin)" >&2
	exit 77
fi

T=$(mktemp -d /tmp/orch-controller-test.XXXXXX)
declare -a HOSTS=() SSHD_PIDS=()
declare -A PORT=() ROOT=() SPID=() FIX=() PRISTINE_OF=() PASSTHROUGH=()

fleet_cleanup() {
	local pid
	for pid in "${SSHD_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${SSHD_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ ${ORCH_TEST_KEEP:-0} == 1 ]]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap fleet_cleanup EXIT

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
RC_OF=orch
# What a failure shows besides its message (tests/lib/assert.sh): the output
# of the last orch run, when there is one.
fail_context() {
	if [[ -s $T/out ]]; then
		echo "--- last orch output:"
		tail -n 60 "$T/out"
	fi
}

# The fixture roots hosts get, in turn, unless a test names others: the
# installs that a passthrough apply goes through cleanly on.
default_fixtures() {
	local f found=()
	for f in ${ORCH_TEST_FIXTURE:-zfs-uefi-sdboot lvm-uefi-grub lvm-bios-grub zfs-secureboot-grub pve7-5.15}; do
		[[ -d $FIXTURES/$f ]] && found+=("$f")
	done
	((${#found[@]})) || { echo "no fixture roots under $FIXTURES" >&2; exit 1; }
	echo "${found[@]}"
}

mkdir -p /run/sshd "$T/home"
ssh-keygen -q -t ed25519 -N '' -C orch-test -f "$T/id_ed25519"
cp "$T/id_ed25519.pub" "$T/authorized_keys"
: >"$T/known_hosts"

# start_sshd NAME: starts NAME's sshd on a free port; sets PORT[NAME].
start_sshd() {
	local name=$1 dir=$T/hosts/$1 port pid try
	mkdir -p "$dir"
	[[ -f $dir/ssh_host_ed25519_key ]] ||
		ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		cat >"$dir/sshd_config" <<-CONF
		Port $port
		ListenAddress $ADDR
		HostKey $dir/ssh_host_ed25519_key
		PidFile none
		AuthorizedKeysFile $T/authorized_keys
		StrictModes no
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		UseDNS no
		MaxStartups 200
		MaxSessions 20
		LogLevel ${ORCH_TEST_SSHD_LOGLEVEL:-VERBOSE}
		# The login shell would read the machine's ~/.bashrc (bash does
		# under sshd): keep the test away from whatever is in there.
		# (one SetEnv line: sshd takes only the first)
		SetEnv HOME=$T/home ${SSHD_SETENV:-}
		Subsystem sftp /usr/lib/openssh/sftp-server
		CONF
		: >"$dir/sshd.log"
		"$SSHD" -D -f "$dir/sshd_config" -E "$dir/sshd.log" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			grep -q "Server listening on $ADDR port $port" "$dir/sshd.log" && break
			sleep 0.02
		done
		if kill -0 "$pid" 2>/dev/null; then
			SSHD_PIDS+=("$pid")
			SPID[$name]=$pid
			PORT[$name]=$port
			return 0
		fi
		wait "$pid" 2>/dev/null || true
	done
	cat "$dir/sshd.log" >&2
	fail "cannot start sshd for $name"
}

# stop_sshd NAME: stops NAME's sshd; its port is closed from then on.
stop_sshd() {
	kill "${SPID[$1]}"
	wait "${SPID[$1]}" 2>/dev/null || true
}

# host_key_line NAME: NAME's known_hosts line.
host_key_line() {
	echo "[$ADDR]:${PORT[$1]} $(cut -d' ' -f1,2 "$T/hosts/$1/ssh_host_ed25519_key.pub")"
}

# host_fingerprint NAME: the SHA256 fingerprint OpenSSH prints for NAME's key.
host_fingerprint() {
	ssh-keygen -l -E sha256 -f "$T/hosts/$1/ssh_host_ed25519_key.pub" | cut -d' ' -f2
}

# fleet N [FIXTURE...]: N hosts node01..nodeNN, each with a copy of the
# next fixture in turn, all in known_hosts; the inventory is
# $T/inventory.ini. PRISTINE_OF[host] is an untouched copy of its fixture.
fleet() {
	local n=$1 i name f
	shift
	local -a fixtures=("$@")
	((${#fixtures[@]})) || read -r -a fixtures <<<"$(default_fixtures)"
	mkdir -p "$T/roots" "$T/pristine"
	for ((i = 1; i <= n; i++)); do
		printf -v name 'node%02d' "$i"
		f=${fixtures[(i - 1) % ${#fixtures[@]}]}
		# Copies of one copy: fixtures may be regenerated while a test runs.
		[[ -d $T/pristine/$f ]] || cp -a "$FIXTURES/$f" "$T/pristine/$f"
		HOSTS+=("$name")
		FIX[$name]=$f
		PRISTINE_OF[$name]=$T/pristine/$f
		start_sshd "$name"
		ROOT[$name]=$T/roots/$name
		cp -a "${PRISTINE_OF[$name]}" "${ROOT[$name]}"
		host_key_line "$name" >>"$T/known_hosts"
	done
	write_inventory
}

# pristine_sum HOST: tree_sum of HOST's untouched fixture.
pristine_sum() {
	tree_sum "${PRISTINE_OF[$1]}"
}

# write_inventory [EXTRA-VARS-LINE...]: the inventory for HOSTS.
write_inventory() {
	local name extra
	{
		echo "[nodes]"
		for name in "${HOSTS[@]}"; do
			echo "$name ansible_host=$ADDR ansible_port=${PORT[$name]} orch_root=${ROOT[$name]}${PASSTHROUGH[$name]:+ passthrough=${PASSTHROUGH[$name]}}"
		done
		echo
		echo "[nodes:vars]"
		echo "ansible_user=root"
		# fixture nodes cannot reboot; the tests of rolling reboots set FLEET_REBOOT=auto
		echo "reboot=${FLEET_REBOOT:-never}"
		echo "ansible_ssh_private_key_file=$T/id_ed25519"
		for extra in "$@"; do
			echo "$extra"
		done
	} >"$T/inventory.ini"
}

# orch ARGS...: runs orch with the test's known_hosts and no ssh-agent,
# output in $T/out; sets RC.
orch() {
	set +e
	env -u SSH_AUTH_SOCK NO_COLOR=1 "$ORCH" "$@" >"$T/out" 2>&1
	RC=$?
	set -e
}

# orch_json ARGS...: like orch, stdout alone in $T/out.json, stderr in $T/err.
orch_json() {
	set +e
	env -u SSH_AUTH_SOCK NO_COLOR=1 "$ORCH" "$@" >"$T/out.json" 2>"$T/err"
	RC=$?
	set -e
	cp "$T/err" "$T/out"
}

# recap NAME FIELD: the number in NAME's PLAY RECAP line.
recap() {
	sed -n "s/^$1 *: .*\\b$2=\\([0-9]*\\).*/\\1/p" "$T/out"
}

# agent_stamp NAME: inode and mtime of the agent on NAME's node, or "none".
agent_stamp() {
	local f
	f=$(find "${ROOT[$1]}/var/lib/orch/bin" -maxdepth 1 -name 'orch-agent-*' 2>/dev/null | head -n1)
	[[ -n $f ]] && stat -c '%i %Y.%y' "$f" || echo none
}

# tree_sum DIR: a checksum of every file, link and mode under DIR, orch's
# own state dir (and the parents the agent push may create) aside.
tree_sum() {
	(cd "$1" && find . -path ./var/lib/orch -prune -o -path ./var -o -path ./var/lib -o -printf '%p %m %l\n' | sort &&
		find . -path ./var/lib/orch -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum
}

# fleet_with_work N [FIXTURE...]: a fleet whose hosts each pass a GPU of
# their fixture through, so that a first apply has something to change.
fleet_with_work() {
	local h
	fleet "$@"
	for h in "${HOSTS[@]}"; do
		PASSTHROUGH[$h]=$(pick_passthrough "${PRISTINE_OF[$h]}")
		[[ -n ${PASSTHROUGH[$h]} ]] || fail "fixture '${FIX[$h]}' has no display device to pass through"
	done
	write_inventory
}

KH=(--known-hosts "$T/known_hosts")

# The first line of a stand-in agent's script (in an unquoted here-document):
# the plan orch gave it, in $plan. orch passes it as `--plan BASE64`
# (docs/protocol.md); run without arguments, it is read on stdin. The real
# agent after it takes it on stdin: `printf '%s' "$plan" | exec "$ORCH_AGENT"`.
STANDIN_PLAN='if [ "${1:-}" = --plan ]; then plan=$(printf %s "$2" | base64 -d); else plan=$(cat); fi'

# cluster_of NAME HOST...: the hosts are the nodes of Proxmox cluster NAME,
# as pmxcfs shows it to each: one /etc/pve shared by all ($T/pve/NAME, each
# root's etc/pve a link to it) with the cluster's corosync.conf, each node
# its own hostname (its inventory name, the node name pmxcfs uses; its
# guests' configs move to etc/pve/nodes/<that name>) and the `pvecm status`
# it prints (quorate; see not_quorate).
cluster_of() {
	local name=$1 h i=1 n=$(($# - 1)) me old
	shift
	mkdir -p "$T/pve/$name/mapping"
	{
		printf 'totem {\n  cluster_name: %s\n  config_version: 3\n  version: 2\n}\n\nnodelist {\n' "$name"
		for h in "$@"; do
			printf '  node {\n    name: %s\n    nodeid: %s\n    quorum_votes: 1\n    ring0_addr: 10.0.0.%s\n  }\n' \
				"$h" "$i" "$i"
			i=$((i + 1))
		done
		printf '}\n\nquorum {\n  provider: corosync_votequorum\n}\n'
	} >"$T/pve/$name/corosync.conf"
	me=1
	for h in "$@"; do
		# the node's own guests (etc/pve/nodes/<its old name>) go with it,
		# under the name it now has
		old=$(cat "${ROOT[$h]}/proc/sys/kernel/hostname")
		if [[ ! -L ${ROOT[$h]}/etc/pve && -d ${ROOT[$h]}/etc/pve/nodes/${old%%.*} ]]; then
			mkdir -p "$T/pve/$name/nodes"
			cp -a "${ROOT[$h]}/etc/pve/nodes/${old%%.*}" "$T/pve/$name/nodes/$h"
		fi
		rm -rf "${ROOT[$h]}/etc/pve"
		ln -s "$T/pve/$name" "${ROOT[$h]}/etc/pve"
		echo "$h" >"${ROOT[$h]}/etc/hostname"
		echo "$h" >"${ROOT[$h]}/proc/sys/kernel/hostname"
		{
			printf 'Cluster information\n-------------------\nName:             %s\nConfig Version:   3\n' "$name"
			printf 'Transport:        knet\nSecure auth:      on\n\n'
			printf 'Quorum information\n------------------\nDate:             Tue Nov 24 20:58:12 2026\n'
			printf 'Quorum provider:  corosync_votequorum\nNodes:            %s\nNode ID:          0x%08x\n' "$n" "$me"
			printf 'Ring ID:          1.2f\nQuorate:          Yes\n\n'
			printf 'Votequorum information\n----------------------\nExpected votes:   %s\nTotal votes:      %s\n' "$n" "$n"
			printf 'Quorum:           %s  \nFlags:            Quorate \n' $((n / 2 + 1))
		} >"${ROOT[$h]}/var/lib/orch-fixture/pvecm-status"
		me=$((me + 1))
	done
}

# not_quorate HOST: HOST's `pvecm status` says its cluster has no quorum.
not_quorate() {
	sed -i 's/^Quorate: .*/Quorate:          No/; s/^Flags: .*/Flags:            /' \
		"${ROOT[$1]}/var/lib/orch-fixture/pvecm-status"
}

# mapping_fleet N [CLUSTER]: N hosts on the fixture of a node that booted
# with its GPU (01:00) on vfio-pci, each passing it through to mapping
# `gpu`, made to need no reboot by a first apply, and all of CLUSTER
# (default: one cluster "rack1").
mapping_fleet() {
	local h
	fleet "$1" zfs-uefi-sdboot-rebooted
	for h in "${HOSTS[@]}"; do
		PASSTHROUGH[$h]=01:00
	done
	write_inventory
	orch apply "$T/inventory.ini" "${KH[@]}"
	((RC == 0)) || fail "the apply that converges the nodes exited $RC"
	# shellcheck disable=SC2068
	cluster_of "${2:-rack1}" ${HOSTS[@]}
	write_inventory "pci_mapping=gpu"
	for h in "${HOSTS[@]}"; do
		: >"${ROOT[$h]}/var/log/orch-fixture/commands.log"
	done
}

# logged HOST WORDS: how many calls HOST's stand-ins logged that start with WORDS.
logged() {
	grep -c "^$2" "${ROOT[$1]}/var/log/orch-fixture/commands.log" || true
}

# check_node HOST: what the pvesh stand-in of HOST reports of every mapping
# with --check-node (assert_valid against HOST's own sysfs), as JSON.
check_node() {
	"${ROOT[$1]}/usr/sbin/pvesh" get /cluster/mapping/pci --check-node "$1" --output-format json
}
