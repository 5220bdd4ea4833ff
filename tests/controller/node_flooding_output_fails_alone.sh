#!/bin/bash
# Nodes whose agent floods its stdout (endless lines, endless empty lines,
# an endless line of NUL bytes, a JSON line without end) each fail alone,
# soon, with a message saying what they sent, and without orch's memory
# growing with what they send; the other nodes are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 6
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline

bad_node node01 'exec yes'
# Empty lines are skipped, so only the bound on the total can stop these.
bad_node node02 "exec yes ''"
bad_node node03 'exec cat /dev/zero'
bad_node node04 "printf '{\"type\":\"result\",\"name\":\"facts\",\"status\":\"ok\",\"msg\":\"'; exec tr '\\\\0' a </dev/zero"
orch_measured apply "$T/inventory.ini" -T 5 --run-timeout 10
expect_bad_node "endless short lines" 2 "the agent sent a line that is not a protocol message: 'y'$" 15 node01
expect_bad_node "endless empty lines" 2 "the agent sent more than 16 MiB$" 15 node02
expect_bad_node "endless NUL bytes" 2 "the agent sent a line longer than 1024 KiB$" 15 node03
expect_bad_node "a never-ending JSON line" 2 "the agent sent a line longer than 1024 KiB$" 15 node04
echo "ok: nodes flooding stdout fail alone"
