#!/bin/bash
# A node whose agent never answers fails after --run-timeout with a clear
# message, and does not hold up the other nodes (fewer forks than nodes).
source "$(dirname "$0")/lib.sh"
fleet 5
cat >"$T/slow-agent" <<SH
#!/bin/sh
$STANDIN_PLAN
case "\$plan" in *'"host":"node01"'*) exec sleep 60 ;; esac
printf '%s' "\$plan" | exec "$ORCH_AGENT"
SH
start=$SECONDS
ORCH_AGENT=$T/slow-agent orch apply "$T/inventory.ini" "${KH[@]}" --forks 2 --run-timeout 4
expect_rc 2
((SECONDS - start < 30)) || fail "the run took $((SECONDS - start)) s"
grep -q "^fatal: \[node01\]: FAILED! => the agent did not finish within 4 s and sent nothing" "$T/out" ||
	fail "no clear message for the silent node"
for h in node02 node03 node04 node05; do
	[[ $(recap "$h" failed) == 0 && $(recap "$h" ok) -gt 0 ]] || fail "$h was held up or failed"
done
# Every other node finished before the silent one was given up.
last_other=$(grep -n '^ok: \[node0[2-5]\]' "$T/out" | tail -n1 | cut -d: -f1)
fatal=$(grep -n '^fatal: \[node01\]' "$T/out" | cut -d: -f1)
((last_other < fatal)) || fail "other nodes waited for node01"
echo "ok: a silent node times out alone"
