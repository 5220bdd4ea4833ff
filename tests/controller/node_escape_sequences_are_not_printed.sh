#!/bin/bash
# A node whose agent puts terminal escape sequences and line breaks in its
# results (step names, messages, the file diffs and command output of
# --diff -v) cannot reach the terminal with them: orch's text shows them as
# \xNN, on the line they belong to; its JSON report keeps them as data.
source "$(dirname "$0")/lib.sh"
fleet_with_work 2
source "$(dirname "$0")/bad_node_lib.sh"

esc=$'\e'
bad_node node01 "cat >/dev/null
printf '%s\n' '{\"type\":\"result\",\"name\":\"facts\\u001b[2J\",\"status\":\"ok\",\"msg\":\"x\\u001b]0;owned\\u0007y\\nok: [node02] forged\"}'
printf '%s\n' '{\"type\":\"result\",\"name\":\"kernel_cmdline\",\"status\":\"changed\",\"msg\":\"m\",\"diff\":[{\"path\":\"/etc/x\",\"unified\":\"+a\\u001b[31mb\\n\"}],\"commands\":[{\"argv\":[\"update-grub\\u001b[1A\"],\"rc\":0,\"output\":\"out\\u001b[K\"}]}'
printf '%s\n' '{\"type\":\"summary\",\"status\":\"ok\",\"changed\":1,\"failed\":0,\"reboot_pending\":false}'"
healthy_roots
orch_measured apply "$T/inventory.ini" --diff -v --reboot never
[[ $RC == 0 ]] || fail "orch exited $RC"
if grep -q "$esc" "$T/out" || grep -q $'\a' "$T/out"; then
	fail "an escape sequence from node01 reached orch's output: $(grep -a "$esc" "$T/out" | head -3 | od -c | head)"
fi
grep -qF 'ok: [node01] facts\x1b[2J: x\x1b]0;owned\x07y\x0aok: [node02] forged' "$T/out" ||
	fail "node01's facts result is not shown with its control characters escaped"
grep -qF '+a\x1b[31mb' "$T/out" || fail "the diff line is not shown escaped"
grep -qF 'update-grub\x1b[1A' "$T/out" || fail "the command is not shown escaped"
grep -qF 'out\x1b[K' "$T/out" || fail "the command output is not shown escaped"
forged=$(grep -c '^ok: \[node02\] forged' "$T/out" || true)
((forged == 0)) || fail "node01 forged a line of node02"

env -u SSH_AUTH_SOCK ORCH_AGENT="$T/agent" "$ORCH" apply "$T/inventory.ini" "${KH[@]}" --reboot never --json >"$T/json" 2>"$T/err" || true
jq -e --arg e "$esc" '.hosts.node01.steps[0].name == ("facts" + $e + "[2J")' "$T/json" >/dev/null ||
	fail "the JSON report does not keep node01's step name as it was sent"
echo "ok: control characters from a node are shown escaped, kept as data in JSON"
