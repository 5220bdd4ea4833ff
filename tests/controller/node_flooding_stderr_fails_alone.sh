#!/bin/bash
# A node whose agent writes to stderr without end, and one that sends a
# byte a second on stdout, fail alone when --run-timeout ends, without
# orch's memory growing with what they send; the other nodes are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 4
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline

# stderr is drained as it comes and only its start is kept; the window
# throttles the sender, which counts what it got out.
bad_node node01 "exec python3 -c '
import os, sys
block = b\"e\" * 65535 + b\"\\n\"
sent, mark = 0, 1 << 20
try:
    while True:
        sent += os.write(2, block)
        if sent >= mark:
            mark += 1 << 20
            open(sys.argv[1] + \".tmp\", \"w\").write(str(sent))
            os.rename(sys.argv[1] + \".tmp\", sys.argv[1])
except OSError:
    pass
' $T/stderr-sent"
bad_node node02 'while :; do printf x; sleep 1; done'
orch_measured apply "$T/inventory.ini" -T 5 --run-timeout 4
expect_bad_node "endless stderr" 2 "the agent did not finish within 4 s and sent nothing$" 15 node01
expect_bad_node "a byte a second" 2 "the agent did not finish within 4 s$" 15 node02
sent=$(cat "$T/stderr-sent" 2>/dev/null || echo 0)
echo "node01 wrote $((sent / 1024 / 1024)) MiB to stderr"
# More than the SSH window and the start orch keeps: orch drained it.
((sent >= 2 * 1024 * 1024)) || fail "node01 got only $sent bytes of stderr out: orch stopped draining it"
echo "ok: nodes flooding stderr or trickling fail alone"
