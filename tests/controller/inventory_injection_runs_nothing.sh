#!/bin/bash
# Inventory values crafted to run a command or to add an ssh option -- in
# host names, connection and passthrough variables, and the Ansible
# variables orch ignores -- run nothing, neither where orch runs nor on the
# node: each is refused before any node is contacted, with a message naming
# the host, the variable and the value, or it is used as plain data. Every
# payload would create its own canary file if a shell or ssh(1) ran it.
source "$(dirname "$0")/lib.sh"
fleet 1
CANARY=$T/canary
mkdir "$CANARY"

# payloads TAG: the values that would create $CANARY/TAG-<i> if run.
payloads() {
	local c=$CANARY/$1
	PAYLOADS=(
		"\$(touch $c-0)"
		"\`touch $c-1\`"
		"x; touch $c-2"
		"x | touch $c-3"
		"x && touch $c-4"
		"-oProxyCommand=touch $c-5"
		"ProxyCommand=touch $c-6"
		"ProxyCommand touch $c-7"
		$'x\ntouch '"$c-8"
	)
}

# quote VALUE: sets INI to VALUE as an inline inventory value (a newline
# only exists in a Python string literal, as in Ansible) and SHOWN to VALUE
# as orch quotes it in a message.
quote() {
	SHOWN=${1//$'\n'/\\n}
	if [[ $1 == *$'\n'* ]]; then
		INI="\"'$SHOWN'\""
	else
		INI="\"$1\""
	fi
}

no_canary() {
	local found
	found=$(find "$CANARY" -mindepth 1 -printf '%P ')
	[[ -z $found ]] || fail "$1 ran a payload: $found"
}

# The payloads are live: a shell, or ssh(1) given them as an option or a
# config line, creates the canaries.
payloads control
for i in 0 1 2 3 4 8; do
	bash -c "true ${PAYLOADS[i]}" >/dev/null 2>&1 || true
done
ssh -F /dev/null -o BatchMode=yes "${PAYLOADS[5]}" x true >/dev/null 2>&1 || true
for i in 6 7; do
	printf 'Host *\n  %s\n' "${PAYLOADS[i]}" >"$T/ssh_config"
	ssh -F "$T/ssh_config" -o BatchMode=yes x true >/dev/null 2>&1 || true
done
for i in 0 1 2 3 4 5 6 7 8; do
	[[ -e $CANARY/control-$i ]] || fail "payload $i ('${PAYLOADS[i]}') does not work: the test would prove nothing"
done
rm -f "$CANARY"/control-*

# 1. Refused: one host per value, all in one inventory; orch names each and
# contacts no node.
vars=(ansible_host ansible_user ansible_port ansible_become orch_root
	passthrough iommu_pt ignore_msrs unsafe_interrupts disable_vga bind_by reboot host_drivers)
declare -a want=()
{
	echo "[nodes]"
	k=0
	for var in "${vars[@]}"; do
		payloads "$var"
		for v in "${PAYLOADS[@]}"; do
			[[ $var == orch_root ]] && v=/$v
			quote "$v"
			printf -v h r%03d $k
			echo "$h ansible_host=127.0.0.1 $var=$INI"
			want+=("orch: $T/refused.ini: host '$h': variable '$var': '$SHOWN' ")
			k=$((k + 1))
		done
	done
	# Paths that climb out of where they seem to point.
	for v in "$CANARY/../canary/root" "${ROOT[node01]}/../../canary/root" "/.." "/tmp/x/.."; do
		quote "$v"
		printf -v h r%03d $k
		echo "$h ansible_host=127.0.0.1 orch_root=$INI"
		want+=("orch: $T/refused.ini: host '$h': variable 'orch_root': '$v' ")
		k=$((k + 1))
	done
	payloads key_file
	quote "${PAYLOADS[8]}"
	printf -v h r%03d $k
	echo "$h ansible_host=127.0.0.1 ansible_ssh_private_key_file=$INI"
	want+=("orch: $T/refused.ini: host '$h': variable 'ansible_ssh_private_key_file': '$SHOWN' ")
	k=$((k + 1))
	# A host name that is its own address.
	payloads name
	for v in "${PAYLOADS[@]:0:6}"; do
		v=${v// /\$\{IFS\}}
		echo "$v"
		want+=("orch: host '$v': the name is not a host name or address (set ansible_host)")
	done
	echo
	echo "[nodes:vars]"
	echo "ansible_port=${PORT[node01]}"
	echo "ansible_ssh_private_key_file=$T/id_ed25519"
} >"$T/refused.ini"

# The inventory says what the test means: every value arrives unchanged.
env -u SSH_AUTH_SOCK "$ORCH" inventory "$T/refused.ini" --list >"$T/refused.json" ||
	fail "orch inventory cannot read the test's inventory"
k=0
for var in "${vars[@]}"; do
	payloads "$var"
	for v in "${PAYLOADS[@]}"; do
		[[ $var == orch_root ]] && v=/$v
		printf -v h r%03d $k
		printf '%s\0%s\0%s\0' "$h" "$var" "$v"
		k=$((k + 1))
	done
done >"$T/meant"
# jq reads the triples and prints those the inventory does not give back.
jq -rRs --slurpfile inv "$T/refused.json" '
	split("\u0000") | (if .[-1] == "" then .[:-1] else . end) |
	[range(0; length; 3) as $i | .[$i:$i + 3]] | .[] |
	select($inv[0]._meta.hostvars[.[0]][.[1]] != .[2]) | "\(.[0]) \(.[1])"' "$T/meant" >"$T/mismatch"
[[ ! -s $T/mismatch ]] || fail "the inventory does not give back what the test wrote: $(head -n3 "$T/mismatch")"

connections() { grep -c 'Connection from' "$T/hosts/node01/sshd.log" || true; }
before=$(connections)
orch apply "$T/refused.ini" "${KH[@]}"
expect_rc 1
no_canary "a refused value"
[[ $(connections) == "$before" ]] || fail "orch connected to the node although the inventory was refused"
for w in "${want[@]}"; do
	grep -qF -- "$w" "$T/out" || fail "no message '$w...'"
done
# One line a host: no value broke its message.
n=$(grep -cE "^orch: ($T/refused.ini: )?host " "$T/out" || true)
[[ $n == "${#want[@]}" ]] || fail "$n messages for ${#want[@]} refused hosts"
echo "ok: ${#want[@]} values refused, each named, nothing run, no node contacted"

# 2. Data: host names (with ansible_host), key file names, and what orch
# ignores (Ansible's ssh arguments, executables, interpreter).
declare -A expect=()
{
	echo "[nodes]"
	payloads name
	for v in "${PAYLOADS[@]:0:8}"; do
		v=${v// /\$\{IFS\}}
		echo "$v ansible_host=127.0.0.1"
		expect[$v]=ok
	done
	payloads key
	k=0
	for v in "${PAYLOADS[@]:0:8}"; do
		quote "$v"
		printf -v h k%03d $k
		echo "$h ansible_host=127.0.0.1 ansible_ssh_private_key_file=$INI"
		expect[$h]="unreachable:cannot read identity '$v'"
		k=$((k + 1))
	done
	# A key path that climbs out and back in is the key.
	echo "k.. ansible_host=127.0.0.1 ansible_ssh_private_key_file=$T/../${T##*/}/./id_ed25519"
	expect[k..]=ok
	for var in ansible_ssh_common_args ansible_ssh_extra_args ansible_ssh_executable ansible_shell_executable \
		ansible_python_interpreter ansible_become_exe ansible_connection; do
		payloads "$var"
		for i in 0 5 8; do
			quote "${PAYLOADS[i]}"
			printf -v h i%03d $k
			echo "$h ansible_host=127.0.0.1 $var=$INI"
			expect[$h]=ok
			k=$((k + 1))
		done
	done
	echo
	echo "[nodes:vars]"
	echo "ansible_port=${PORT[node01]}"
	echo "ansible_user=root"
	echo "orch_root=${ROOT[node01]}"
	echo "ansible_ssh_private_key_file=$T/id_ed25519"
} >"$T/data.ini"
orch_json apply "$T/data.ini" "${KH[@]}" --check --json --forks 4
no_canary "a value used as data"
expect_rc 4
declare -A status=() msg=()
while IFS= read -r -d '' h && IFS= read -r -d '' st && IFS= read -r -d '' m; do
	status[$h]=$st
	msg[$h]=$m
done < <(jq -j '.hosts | to_entries[] | "\(.key)\u0000\(.value.status)\u0000\(.value.msg // "")\u0000"' "$T/out.json")
for h in "${!expect[@]}"; do
	case ${expect[$h]} in
	ok) [[ ${status[$h]:-} == ok ]] || fail "host '$h': ${status[$h]:-missing}: ${msg[$h]:-}" ;;
	unreachable:*)
		[[ ${status[$h]:-} == unreachable ]] || fail "host '$h' is ${status[$h]:-missing}, not unreachable"
		[[ ${msg[$h]} == *"${expect[$h]#unreachable:}"* ]] || fail "host '$h': '${msg[$h]}' does not quote its key file"
		;;
	esac
done
[[ $(jq -r '.hosts | length' "$T/out.json") == "${#expect[@]}" ]] || fail "hosts missing from the report"
echo "ok: ${#expect[@]} values used as data, nothing run"
