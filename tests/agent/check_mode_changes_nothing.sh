#!/bin/bash
# Check mode: the full plan reports what it would change (changed > 0, the
# summary says check) but no file, mode, directory or backup appears and no
# command runs.   Usage: ... ROOT
# ctest: CASES ${ORCH_FIXTURE_ROOTS}
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
apply --check --iommu-pt
expect_ok_run
[[ $(summary_field check) == true ]] || fail "the summary does not say check"
[[ $(summary_field changed) -gt 0 ]] || fail "check mode reports nothing to change on a fresh node"
expect_no_commands
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
