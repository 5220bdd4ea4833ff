#!/bin/bash
# A node whose agent answers with valid result lines without end (more than
# any plan has steps) fails alone, soon, with orch's memory bounded and its
# output not flooded with that node's lines; the other nodes are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline

bad_node node01 "exec yes '{\"type\":\"result\",\"name\":\"facts\",\"status\":\"ok\",\"msg\":\"fine\"}'"
healthy_roots
orch_measured apply "$T/inventory.ini" -T 5 --run-timeout 10
expect_bad_node "endless valid results" 2 "the agent sent .+" 15 node01
lines=$(grep -c '^ok: \[node01\]' "$T/out" || true)
((lines < 100)) || fail "$lines result lines of node01 in the output"
echo "ok: a node with endless results fails alone"
