#!/bin/bash
# Nodes reached over IPv6: ansible_host=::1, their keys in known_hosts as
# [::1]:PORT (as ssh(1) writes them). A first apply changes them, a second
# changes nothing and sends no agent, and --accept-new records unknown keys
# under the name ssh(1) then finds them by.
ORCH_TEST_ADDR=::1
source "$(dirname "$0")/lib.sh"
ip -6 addr show dev lo 2>/dev/null | grep -q "inet6 ::1/128" ||
	{ echo "skip: the loopback interface has no ::1" >&2; exit 77; }
fleet_with_work 2
grep -q "ansible_host=::1 " "$T/inventory.ini" || fail "the inventory does not name ::1"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
for h in node01 node02; do
	[[ $(recap "$h" changed) -gt 0 ]] || { cat "$T/out" >&2; fail "$h was not changed over IPv6"; }
done
before=$(agent_stamp node01)
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
[[ $(recap node01 changed) == 0 && $(recap node02 changed) == 0 ]] || fail "the second apply changed something"
[[ $(agent_stamp node01) == "$before" ]] || fail "the agent was sent again"

: >"$T/new_known_hosts"
orch facts "$T/inventory.ini" --known-hosts "$T/new_known_hosts" --accept-new
expect_rc 0
for h in node01 node02; do
	ssh-keygen -F "[::1]:${PORT[$h]}" -f "$T/new_known_hosts" >/dev/null ||
		{ cat "$T/new_known_hosts" >&2; fail "$h's key is not recorded as [::1]:${PORT[$h]}"; }
done
ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$T/new_known_hosts" \
	-i "$T/id_ed25519" -p "${PORT[node01]}" root@::1 true ||
	fail "ssh(1) does not accept the key orch recorded"
# Messages name the node as ssh(1) would: [::1]:PORT.
stop_sshd node02
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 4
grep -q "^fatal: \[node02\]: UNREACHABLE! => cannot connect to 'root@\[::1\]:${PORT[node02]}'" "$T/out" ||
	{ cat "$T/out" >&2; fail "the unreachable IPv6 node is not named root@[::1]:${PORT[node02]}"; }
echo "ok: IPv6 nodes applied, keys recorded as [::1]:PORT"
