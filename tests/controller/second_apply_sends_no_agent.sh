#!/bin/bash
# A node that has the current agent is not sent it again: the file on the
# node keeps its inode and mtime (every upload makes a new file), and the
# report says so.
source "$(dirname "$0")/lib.sh"
fleet 3

orch_json apply "$T/inventory.ini" "${KH[@]}" --json
expect_rc 0
declare -A stamp
for h in "${HOSTS[@]}"; do
	[[ $(jq -r --arg h "$h" '.hosts[$h].agent_sent' "$T/out.json") == true ]] || fail "$h: first run did not send the agent"
	stamp[$h]=$(agent_stamp "$h")
	[[ ${stamp[$h]} != none ]] || fail "$h: no agent on the node after the first run"
	name=$(basename "$(find "${ROOT[$h]}/var/lib/orch/bin" -name 'orch-agent-*')")
	[[ $name == "orch-agent-$(sha256sum "$ORCH_AGENT" | cut -c1-64)" ]] || fail "$h: agent is named '$name', not by its sha256"
	[[ $(stat -c %a "${ROOT[$h]}/var/lib/orch/bin") == 700 ]] || fail "$h: bin dir is not 0700"
	! find "${ROOT[$h]}/var/lib/orch/bin" -name '*.tmp' | grep -q . || fail "$h: a temp upload was left behind"
done
sleep 1.1   # a new upload would have a later mtime
orch_json apply "$T/inventory.ini" "${KH[@]}" --json
expect_rc 0
for h in "${HOSTS[@]}"; do
	[[ $(jq -r --arg h "$h" '.hosts[$h].agent_sent' "$T/out.json") == false ]] || fail "$h: second run sent the agent again"
	[[ $(agent_stamp "$h") == "${stamp[$h]}" ]] || fail "$h: the agent file on the node was replaced"
done
echo "ok: the agent was sent once"
