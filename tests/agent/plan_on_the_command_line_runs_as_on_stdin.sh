#!/bin/bash
# The controller gives the plan as `--plan BASE64` (docs/protocol.md): the
# agent runs it as it runs the same plan on stdin, line for line, without
# reading stdin; an argument that is not base64 is refused like a bad plan
# (exit 2, one error line, the root untouched).
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
plan >"$T/plan.json"
jq -c '.check = true' "$T/plan.json" >"$T/check.json"

run_agent "$T/check.json"
expect_rc 0
grep -v '"seconds"' "$T/out" | sed 's/"boot_id":"[^"]*"//' >"$T/stdin.out"
set +e
# stdin left open and empty: an agent that read it would wait for ever
sleep 30 | timeout 20 "$ORCH_AGENT" --plan "$(base64 -w0 "$T/check.json")" >"$T/out" 2>"$T/err"
RC=$?
set -e
expect_rc 0
grep -v '"seconds"' "$T/out" | sed 's/"boot_id":"[^"]*"//' >"$T/arg.out"
diff -u "$T/stdin.out" "$T/arg.out" || fail "the plan on the command line ran otherwise than on stdin"

set +e
"$ORCH_AGENT" --plan 'eyJ2ZXJzaW9uIjox!' </dev/null >"$T/out" 2>"$T/err"
RC=$?
set -e
expect_rc 2
[[ $(wc -l <"$T/out") == 1 && $(jq -r .type "$T/out") == error ]] || fail "not one error line: $(cat "$T/out")"
grep -q "not base64" "$T/out" || fail "the error does not say what is wrong: $(cat "$T/out")"
expect_same_tree "$P" "$R" var/lib/orch
echo "ok: the plan on the command line runs as on stdin"
