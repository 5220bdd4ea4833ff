#!/bin/bash
# The committed fixture root is what tests/fixtures/gen/mkroots.sh makes
# today: every path, mode, link and byte.   Usage: ... ROOT
# The fixtures do not depend on how the agent was built: a sanitizer build
# does not check them again.
# ctest: UNLESS ORCH_SANITIZE
# ctest: CASES ${ORCH_FIXTURE_ROOTS} ${ORCH_FIXTURE_ROOTS_REFUSED} zfs-uefi-sdboot-rebooted
# ctest: TIMEOUT 600
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
FX_OUT=$T/gen "$LIB_DIR/../fixtures/gen/mkroots.sh" "$FIX" >/dev/null 2>"$T/gen.err" ||
	fail "mkroots.sh $FIX failed: $(cat "$T/gen.err")"
expect_same_tree "$R" "$T/gen/$FIX"
