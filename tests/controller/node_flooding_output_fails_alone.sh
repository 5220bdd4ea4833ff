#!/bin/bash
# A node whose agent floods its stdout (endless lines, an endless line,
# binary bytes) fails alone, soon, with a message saying what it sent, and
# without orch's memory growing with what the node sends; the other nodes
# are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline
opts=(-T 5 --run-timeout 4)

bad_node 'exec yes'
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "endless short lines" 2 "the agent sent a line that is not a protocol message: 'y'$" 15

# Empty lines are skipped, so only the total bound can stop these.
bad_node "exec yes ''"
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "endless empty lines" 2 "the agent sent more than 16 MiB$" 15

bad_node 'exec cat /dev/zero'
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "endless NUL bytes" 2 "the agent sent a line longer than 1024 KiB$" 15

bad_node "printf '{\"type\":\"result\",\"name\":\"facts\",\"status\":\"ok\",\"msg\":\"'; exec tr '\\\\0' a </dev/zero"
healthy_roots
orch_measured apply "$T/inventory.ini" "${opts[@]}"
expect_bad_node "a never-ending JSON line" 2 "the agent sent a line longer than 1024 KiB$" 15
echo "ok: nodes flooding stdout fail alone"
