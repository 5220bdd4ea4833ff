#!/bin/bash
# A new agent build has a new sha256: nodes get it, beside the old one, and an
# interrupted upload never takes the agent's name.
source "$(dirname "$0")/lib.sh"
fleet 2

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
cp "$ORCH_AGENT" "$T/agent2"
printf '\0orch-test-padding\n' >>"$T/agent2"   # same program, new content
ORCH_AGENT=$T/agent2 orch_json apply "$T/inventory.ini" "${KH[@]}" --json
expect_rc 0
new=orch-agent-$(sha256sum "$T/agent2" | cut -c1-64)
for h in "${HOSTS[@]}"; do
	[[ $(jq -r --arg h "$h" '.hosts[$h].agent_sent' "$T/out.json") == true ]] || fail "$h: new agent not sent"
	cmp -s "$T/agent2" "${ROOT[$h]}/var/lib/orch/bin/$new" || fail "$h: the uploaded agent differs from the local one"
done
echo "ok: a changed agent is sent"
