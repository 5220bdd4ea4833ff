#!/bin/bash
# Without ansible_ssh_private_key_file, orch logs in with the key ssh-agent
# holds, or with -i KEYFILE; with neither it is refused (unreachable).
source "$(dirname "$0")/lib.sh"
fleet 2
sed -i '/^ansible_ssh_private_key_file=/d' "$T/inventory.ini"

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 4
grep -q "^fatal: \[node01\]: UNREACHABLE! => permission denied for 'root@127.0.0.1:${PORT[node01]}'" "$T/out" ||
	fail "no permission denied message without a key"

orch apply "$T/inventory.ini" "${KH[@]}" -i "$T/id_ed25519"
expect_rc 0

eval "$(ssh-agent -s -a "$T/agent.sock")" >/dev/null
trap 'kill "$SSH_AGENT_PID" 2>/dev/null; fleet_cleanup' EXIT
ssh-add -q "$T/id_ed25519" 2>/dev/null
set +e
NO_COLOR=1 SSH_AUTH_SOCK=$T/agent.sock "$ORCH" apply "$T/inventory.ini" "${KH[@]}" >"$T/out" 2>&1
RC=$?
set -e
expect_rc 0
echo "ok: ssh-agent and -i"
