#!/bin/bash
# Nodes whose SSH connection dies while their agent is answering (the
# session's sshd killed mid-line, the node's whole sshd killed) fail alone
# at once with a message saying the connection was lost; one that freezes
# mid-answer (its session's sshd stopped) fails when --run-timeout ends.
# The half lines they sent are not taken, orch's memory stays bounded, and
# the other nodes are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 5
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline

# The agent runs as a child of its session's sshd: $PPID on the node.
bad_node node01 "printf '%s' \"\$PLAN\" | \"$ORCH_AGENT\" | head -c 300; kill -KILL \$PPID; sleep 10"
bad_node node02 "printf '%s' \"\$PLAN\" | \"$ORCH_AGENT\" | head -c 300; kill -KILL \$PPID ${SPID[node02]}; sleep 10"
# A frozen node keeps the TCP connection open and says nothing more.
bad_node node03 "printf '{\"type\":\"result\"'; sleep 0.5; echo \$PPID >>$T/frozen; kill -STOP \$PPID; sleep 10"
orch_measured apply "$T/inventory.ini" -T 5 --run-timeout 6
expect_bad_node "the session killed mid-line" 2 "lost the connection while the agent ran: .+" 10 node01
expect_bad_node "the node's sshd killed mid-line" 2 "lost the connection while the agent ran: .+" 10 node02
expect_bad_node "the session frozen mid-line" 2 "the agent did not finish within 6 s$" 10 node03
for h in node01 node02 node03; do
	[[ $(recap $h ok) == 0 && $(recap $h changed) == 0 ]] || fail "$h: a half line was taken as a result"
done
# The lost connections were told at once, not at the timeout.
last=$(grep -n '^fatal: \[node0[12]\]' "$T/out" | tail -n1 | cut -d: -f1)
frozen=$(grep -n '^fatal: \[node03\]' "$T/out" | cut -d: -f1)
((last < frozen)) || fail "the lost connections were reported after the frozen node's timeout"
echo "ok: nodes whose connection is cut or frozen fail alone"
