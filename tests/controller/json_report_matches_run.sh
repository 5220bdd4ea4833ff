#!/bin/bash
# --json prints one document that parses and agrees with the run: every host,
# its steps as the agent reported them, stats that add up, the exit status,
# the unreachable host with its reason.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
stop_sshd node03

orch_json apply "$T/inventory.ini" "${KH[@]}" --json
expect_rc 4
jq -e . "$T/out.json" >/dev/null || fail "--json output does not parse"
[[ $(jq -r '.exit_status' "$T/out.json") == 4 ]] || fail "exit_status in the document is not 4"
[[ $(jq -r '.hosts | keys | join(" ")' "$T/out.json") == "node01 node02 node03" ]] || fail "hosts differ"
[[ $(jq -r '.hosts.node03.status' "$T/out.json") == unreachable ]] || fail "node03 is not unreachable"
jq -e --arg p "${PORT[node03]}" '.hosts.node03.msg | contains($p)' "$T/out.json" >/dev/null || fail "node03's reason lacks its port"
[[ $(jq -r '.stats.node03.unreachable' "$T/out.json") == 1 ]] || fail "stats: node03 unreachable != 1"
for h in node01 node02; do
	jq -e --arg h "$h" '
		.hosts[$h] as $r | .stats[$h] as $s
		| ($r.steps | map(select(.status == "changed")) | length) as $changed
		| ($r.steps | map(select(.status == "ok")) | length) as $ok
		| $r.status == "changed" and $s.changed == $changed and $s.ok == $ok + $changed
		  and $s.unreachable == 0 and $s.failures == 0
		  and $r.summary.changed == $changed and $r.summary.ok == $ok
		  and ($r.steps[0].name == "facts") and ($r.facts.hostname | type == "string")' \
		"$T/out.json" >/dev/null || fail "$h: the document does not add up"
done
# The same fleet applied again, now in text: the JSON of that run agrees
# with its PLAY RECAP.
orch_json apply "$T/inventory.ini" "${KH[@]}" --json -l 'node01:node02'
cp "$T/out.json" "$T/second.json"
orch apply "$T/inventory.ini" "${KH[@]}" -l 'node01:node02'
for h in node01 node02; do
	for f in ok changed unreachable skipped; do
		[[ $(jq -r --arg h "$h" --arg f "$f" '.stats[$h][$f]' "$T/second.json") == "$(recap "$h" "$f")" ]] ||
			fail "$h: $f differs between --json and PLAY RECAP"
	done
done
echo "ok: --json matches the run"
