#!/bin/bash
# Idempotence: after a full apply, the same plan again reports 0 changed,
# runs no command (the fixture's command log gains nothing) and leaves every
# byte, mode and owner of the root as it was.   Usage: ... ROOT
# ctest: CASES ${ORCH_FIXTURE_ROOTS}
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
apply --iommu-pt
expect_ok_run
[[ $(summary_field changed) -gt 0 ]] || fail "the first apply changed nothing"
changing_commands >"$T/log.1"
tree_sum "$R" >"$T/sum.1"

apply --iommu-pt
expect_ok_run
[[ $(summary_field changed) == 0 ]] ||
	fail "second apply changed: $(jq -r 'select(.status == "changed") | .name + ": " + .msg' "$T/out")"
changing_commands >"$T/log.2"
cmp -s "$T/log.1" "$T/log.2" || fail "second apply ran commands: $(diff "$T/log.1" "$T/log.2")"
diff <(grep -v commands.log "$T/sum.1") <(tree_sum "$R" | grep -v commands.log) >"$T/tree.diff" || fail "second apply changed the root:
$(head -n 20 "$T/tree.diff")"
