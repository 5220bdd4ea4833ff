#!/bin/bash
# A node whose SSH connection dies while its agent is answering (the
# session's sshd killed mid-line, the node's whole sshd killed) fails alone
# at once with a message saying the connection was lost; one that freezes
# mid-answer (its sshd stopped) fails when --run-timeout ends. Either way
# the half line it sent is not taken, orch's memory stays bounded, and the
# other nodes are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline
opts=(-T 5 --run-timeout 6)
# The agent runs as a child of its session's sshd: $PPID on the node.

bad_node "printf '%s' \"\$PLAN\" | \"$ORCH_AGENT\" | head -c 300; kill -KILL \$PPID; sleep 10"
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "the session killed mid-line" 2 "lost the connection while the agent ran: .+" 4
[[ $(recap node01 ok) == 0 && $(recap node01 changed) == 0 ]] || fail "the half line was taken as a result"

# The listener too: the node's sshd is gone for good.
bad_node "printf '%s' \"\$PLAN\" | \"$ORCH_AGENT\" | head -c 300; kill -KILL \$PPID ${SPID[node01]}; sleep 10"
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "the node's sshd killed mid-line" 2 "lost the connection while the agent ran: .+" 4
wait "${SPID[node01]}" 2>/dev/null || true
start_sshd node01
host_key_line node01 >>"$T/known_hosts"
write_inventory

# A frozen node keeps the TCP connection open and says nothing more.
bad_node "printf '{\"type\":\"result\"'; sleep 0.5; echo \$PPID >$T/frozen; kill -STOP \$PPID; sleep 10"
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "the session frozen mid-line" 2 "the agent did not finish within 6 s$" 10
echo "ok: a node whose connection is cut or frozen fails alone"
