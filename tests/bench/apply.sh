#!/bin/bash
# Times `orch apply --reboot never` (the rolling reboot is not what is
# compared) on N loopback hosts (one real sshd each, a fixture root each)
# against two references doing the same on the same hosts:
#   floor    OpenSSH's ssh logging in to every host and running one command,
#            as many at once as orch's --forks (xargs -P)
#   ansible  ansible-playbook (ansible-core) doing the same steps as orch's
#            plan (files under orch_root, the refresh command), same forks
#   fresh floor  OpenSSH doing on each fresh host what orch does there: one
#            connection (ControlMaster) carrying the agent's first run (the
#            shell answers 127), an SFTP upload to a temporary name and its
#            rename, and the agent's run with the very plan orch sends
# and reports wall times, their ratios, orch's own CPU time per host and its
# peak RSS. Not a ctest test: run it by hand, as root:
#   tests/bench/apply.sh [N...]          (default: 20 100)
# Environment: ORCH (it sends the agent built into it), FIXTURES as for
# tests/controller (defaults: build/; `cmake --build build --target
# orch_fixture_roots` makes the roots), FORKS (20), REPEAT (3: the median
# is reported), ANSIBLE_MAX (20: ansible runs on fleets up to this size; it
# needs minutes for 100 hosts), ANSIBLE_REPEAT (1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export ORCH=${ORCH:-$top/build/controller/orch}
ORCH_AGENT=${ORCH_AGENT:-$top/build/agent/orch-agent}
export FIXTURES=${FIXTURES:-$top/build/tests/fixtures/roots}
[[ -d $FIXTURES ]] || { echo "no fixture roots at $FIXTURES (cmake --build build --target orch_fixture_roots)" >&2; exit 1; }
FORKS=${FORKS:-20}
REPEAT=${REPEAT:-3}
ANSIBLE_MAX=${ANSIBLE_MAX:-20}
ANSIBLE_REPEAT=${ANSIBLE_REPEAT:-1}
sizes=("$@")
((${#sizes[@]})) || sizes=(20 100)
command -v "${CC:-cc}" >/dev/null || { echo "needs a C compiler (CC, default cc) for rusage.c" >&2; exit 1; }

source "$top/tests/controller/lib.sh"

# The agent orch sends (the one it embeds is this build's orch-agent).
AGENT_FILE=$ORCH_AGENT
[[ -f $AGENT_FILE ]] || { echo "needs the agent orch embeds at $AGENT_FILE (ORCH_AGENT)" >&2; exit 1; }
AGENT_SHA=$(sha256sum "$AGENT_FILE" | cut -d' ' -f1)
export T AGENT_FILE AGENT_SHA
"${CC:-cc}" -O2 -o "$T/rusage" "$here/rusage.c" || fail "cannot build $here/rusage.c"

# measure NAME CMD...: runs CMD; sets WALL (s), CPU (s, user + sys, to the
# microsecond) and RSS (KiB, peak), from rusage.c.
measure() {
	local name=$1 user sys
	shift
	"$T/rusage" "$T/time.$name" "$@" >"$T/log.$name" 2>&1 || true
	read -r WALL user sys RSS <"$T/time.$name"
	CPU=$(echo "$user + $sys" | bc -l)
}

# busy_seconds: CPU time the whole machine has spent busy (all CPUs, idle
# and iowait aside), from /proc/stat.
busy_seconds() {
	awk '/^cpu / {print ($2 + $3 + $4 + $7 + $8 + $9) / 100; exit}' /proc/stat
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

reset_roots() {
	local h
	for h in "${HOSTS[@]}"; do
		rm -rf "${ROOT[$h]}"
		cp -a "${PRISTINE_OF[$h]}" "${ROOT[$h]}"
	done
}

# capture_plans: each host's plan as orch sends it, in $T/plans/HOST.json: an
# ORCH_AGENT that keeps its plan (orch sends it, runs it, and reports it
# failed for want of a summary).
capture_plans() {
	local h f root
	rm -rf "$T/plans"
	mkdir -p "$T/plans"
	printf '#!/bin/sh\n%s\nprintf %%s "$plan" >"$(mktemp %s/plans/plan.XXXXXX)"\nexit 1\n' "$STANDIN_PLAN" "$T" >"$T/capture-agent"
	chmod 0755 "$T/capture-agent"
	reset_roots
	ORCH_AGENT="$T/capture-agent" env -u SSH_AUTH_SOCK "$ORCH" apply "$T/inventory.ini" "${KH[@]}" \
		--forks "$FORKS" --reboot never >"$T/log.capture" 2>&1 || true
	for f in "$T"/plans/plan.*; do
		root=$(jq -r .root "$f")
		for h in "${HOSTS[@]}"; do
			[[ ${ROOT[$h]} == "$root" ]] && mv "$f" "$T/plans/$h.json"
		done
	done
	for h in "${HOSTS[@]}"; do
		[[ -s $T/plans/$h.json ]] || fail "no plan captured for $h (see $T/log.capture)"
	done
}

# fresh_floor_host PORT ROOT PLAN: OpenSSH's ssh and sftp doing what orch
# does on a fresh node, over one connection.
fresh_floor_host() {
	local port=$1 root=$2 plan=$3 bin="$2/var/lib/orch/bin" out
	local -a o=(-F none -o BatchMode=yes -i "$T/id_ed25519" -o UserKnownHostsFile="$T/known_hosts"
		-o ControlPath="$T/cm-$port")
	local agent="$bin/orch-agent-$AGENT_SHA" tmp="$bin/.orch-agent-$AGENT_SHA.$RANDOM.tmp"

	ssh "${o[@]}" -o ControlMaster=yes -o ControlPersist=60 -p "$port" root@127.0.0.1 "$agent" <"$plan" >/dev/null 2>&1
	[[ $? == 127 ]] || { echo "port $port: the first run did not answer 127" >&2; return 1; }
	sftp -q -b - "${o[@]}" -P "$port" root@127.0.0.1 >/dev/null <<-SFTP || return 1
	-mkdir $root/var/lib/orch
	-mkdir $bin
	chmod 700 $root/var/lib/orch
	chmod 700 $bin
	put $AGENT_FILE $tmp
	chmod 700 $tmp
	rename $tmp $agent
	SFTP
	out=$(ssh "${o[@]}" -p "$port" root@127.0.0.1 "$agent" <"$plan" 2>/dev/null)
	ssh "${o[@]}" -p "$port" -O exit root@127.0.0.1 2>/dev/null
	[[ $out == *'"type":"summary"'* ]] || { echo "port $port: the agent sent no summary" >&2; return 1; }
}

export -f fresh_floor_host

ansible_files() {
	cat >"$T/ansible.cfg" <<-CFG
	[defaults]
	forks = $FORKS
	host_key_checking = True
	interpreter_python = /usr/bin/python3
	local_tmp = $T/ansible-local
	remote_tmp = $T/ansible-remote
	stdout_callback = default
	[ssh_connection]
	ssh_args = -F none -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$T/known_hosts
	pipelining = True
	CFG
	# The steps of orch's plan, as an Ansible user would write them.
	cat >"$T/site.yml" <<-'YML'
	- hosts: nodes
	  gather_facts: false
	  vars:
	    root: "{{ orch_root }}"
	  tasks:
	    - name: facts (devices and the live command line)
	      shell: "ls {{ root }}/sys/bus/pci/devices; cat {{ root }}/proc/cmdline"
	      changed_when: false
	    - name: kernel_cmdline
	      copy:
	        dest: "{{ root }}/etc/default/grub.d/orch.cfg"
	        content: 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"'
	      register: cmdline
	    - name: vfio_modules
	      lineinfile:
	        path: "{{ root }}/etc/modules"
	        line: "{{ item }}"
	        create: true
	      loop: [vfio, vfio_iommu_type1, vfio_pci]
	      register: modules
	    - name: vfio_bind
	      copy:
	        dest: "{{ root }}/etc/modprobe.d/orch-vfio-pci.conf"
	        content: "options vfio-pci ids=10de:1b81,10de:10f0\n"
	      register: bind
	    - name: host_drivers
	      copy:
	        dest: "{{ root }}/etc/modprobe.d/orch-host-drivers.conf"
	        content: "softdep nouveau pre: vfio-pci\n"
	      register: drivers
	    - name: refresh
	      command: "{{ root }}/usr/sbin/update-initramfs -u -k all"
	      when: modules.changed or bind.changed or drivers.changed
	YML
}

run_size() {
	local n=$1 i h ports
	HOSTS=() PORT=() ROOT=() SPID=() FIX=() PRISTINE_OF=() PASSTHROUGH=()
	rm -rf "$T/roots" "$T/pristine" "$T/hosts"
	: >"$T/known_hosts"
	fleet_with_work "$n"
	ports=$(for h in "${HOSTS[@]}"; do echo "${PORT[$h]}"; done)
	local -a orch_cold=() orch_cold_cpu=() orch_warm=() orch_warm_cpu=() orch_warm_rss=() floor=() ffloor=() ans_cold=() ans_warm=()
	local -a node_cpu=()
	local b0 cpus
	cpus=$(nproc)

	capture_plans

	for ((i = 0; i < REPEAT; i++)); do
		reset_roots
		b0=$(busy_seconds)
		measure orch-cold env -u SSH_AUTH_SOCK "$ORCH" apply "$T/inventory.ini" "${KH[@]}" --forks "$FORKS" --reboot never
		node_cpu+=("$(echo "$(busy_seconds) - $b0 - $CPU" | bc -l)")
		grep -q 'unreachable=0 *failed=0' "$T/log.orch-cold" || { tail "$T/log.orch-cold"; fail "cold apply failed"; }
		orch_cold+=("$WALL")
		orch_cold_cpu+=("$CPU") cold_rss=$RSS
		measure orch-warm env -u SSH_AUTH_SOCK "$ORCH" apply "$T/inventory.ini" "${KH[@]}" --forks "$FORKS" --reboot never
		grep -q 'changed=0 *unreachable=0 *failed=0' "$T/log.orch-warm" || { tail "$T/log.orch-warm"; fail "warm apply changed something"; }
		orch_warm+=("$WALL") orch_warm_cpu+=("$CPU") orch_warm_rss+=("$RSS")
		measure floor sh -c "echo '$ports' | xargs -P $FORKS -I{} ssh -F none -o BatchMode=yes -i $T/id_ed25519 -o UserKnownHostsFile=$T/known_hosts -p {} root@127.0.0.1 true"
		floor+=("$WALL")
		reset_roots
		for h in "${HOSTS[@]}"; do
			echo "${PORT[$h]} ${ROOT[$h]} $T/plans/$h.json"
		done >"$T/fresh-floor.list"
		measure fresh-floor xargs -a "$T/fresh-floor.list" -P "$FORKS" -L 1 bash -c 'fresh_floor_host "$@"' _
		[[ -s $T/log.fresh-floor ]] && { cat "$T/log.fresh-floor"; fail "the fresh floor failed"; }
		ffloor+=("$WALL")
	done
	if command -v ansible-playbook >/dev/null && ((n <= ANSIBLE_MAX)); then
		ansible_files
		for ((i = 0; i < ANSIBLE_REPEAT; i++)); do
			reset_roots
			measure ansible-cold env ANSIBLE_CONFIG="$T/ansible.cfg" HOME="$T/home" ansible-playbook -i "$T/inventory.ini" "$T/site.yml"
			grep -q 'unreachable=0 *failed=0' "$T/log.ansible-cold" || { tail "$T/log.ansible-cold"; fail "ansible failed"; }
			ans_cold+=("$WALL") ans_cold_cpu=$CPU
			measure ansible-warm env ANSIBLE_CONFIG="$T/ansible.cfg" HOME="$T/home" ansible-playbook -i "$T/inventory.ini" "$T/site.yml"
			ans_warm+=("$WALL") ans_warm_cpu=$CPU
		done
		local sock
		for sock in "$T"/home/.ansible/cp/*; do
			[[ -S $sock ]] && ssh -o ControlPath="$sock" -O exit dummy 2>/dev/null || true
		done
	fi
	local oc ow fl ff nc ac aw cpu rss
	oc=$(median "${orch_cold[@]}") ow=$(median "${orch_warm[@]}") fl=$(median "${floor[@]}")
	ff=$(median "${ffloor[@]}") nc=$(median "${node_cpu[@]}")
	cpu=$(median "${orch_warm_cpu[@]}") rss=$(median "${orch_warm_rss[@]}")
	printf '\n== %d hosts, --forks %d, median of %d (ansible: %d)\n' "$n" "$FORKS" "$REPEAT" "$ANSIBLE_REPEAT"
	printf '  runs (s): orch cold %s; orch warm %s; floor %s; fresh floor %s\n' "${orch_cold[*]}" \
		"${orch_warm[*]}" "${floor[*]}" "${ffloor[*]}"
	printf '  orch CPU (s): cold %s; warm %s\n' "${orch_cold_cpu[*]}" "${orch_warm_cpu[*]}"
	printf '  %-34s %8.2f s\n' "orch apply, fresh nodes (cold)" "$oc" "orch apply, agent present (warm)" "$ow" \
		"floor: ssh -P$FORKS ... true" "$fl" "fresh floor: ssh+sftp as orch" "$ff"
	printf '  %-34s %8.2f\n' "cold orch / fresh floor" "$(echo "$oc / $ff" | bc -l)"
	printf '  %-34s %8.2f s  (over %d CPUs: at least %.2f s of wall)\n' "nodes' CPU in a cold orch apply" "$nc" \
		"$cpus" "$(echo "$nc / $cpus" | bc -l)"
	printf '  %-34s %8.2f  (target <= 1.0)\n' "warm orch / floor" "$(echo "$ow / $fl" | bc -l)"
	printf '  %-34s %8.2f ms  (target <= 5)\n' "orch CPU per host, warm" "$(echo "$cpu * 1000 / $n" | bc -l)"
	printf '  %-34s %8.2f ms\n' "orch CPU per host, cold" "$(echo "$(median "${orch_cold_cpu[@]}") * 1000 / $n" | bc -l)"
	printf '  %-34s %8.2f\n' "load average at the end" "$(cut -d' ' -f1 /proc/loadavg)"
	printf '  %-34s %8d KiB (cold %d KiB)\n' "orch peak RSS, warm" "$rss" "$cold_rss"
	if ((${#ans_cold[@]})); then
		ac=$(median "${ans_cold[@]}") aw=$(median "${ans_warm[@]}")
		printf '  %-34s %8.2f s\n' "ansible-playbook, fresh nodes" "$ac" "ansible-playbook, again" "$aw"
		printf '  %-34s %8.1f x  (target >= 30 on 20 fresh hosts)\n' "ansible / orch, fresh" "$(echo "$ac / $oc" | bc -l)"
		printf '  %-34s %8.1f x  (what a controller costing nothing would show)\n' "ansible / nodes' CPU per core" \
			"$(echo "$ac * $cpus / $nc" | bc -l)"
		printf '  %-34s %8.1f x\n' "ansible / orch, warm" "$(echo "$aw / $ow" | bc -l)"
		printf '  %-34s %8.1f ms\n' "ansible CPU per host, fresh" "$(echo "$ans_cold_cpu * 1000 / $n" | bc -l)"
	fi
	local pid
	for pid in "${SSHD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${SSHD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	SSHD_PIDS=()
}

for n in "${sizes[@]}"; do
	run_size "$n"
done
