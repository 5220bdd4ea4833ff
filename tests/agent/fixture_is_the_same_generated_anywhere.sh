#!/bin/bash
# A fixture root depends on tests/fixtures/gen alone: generated again here,
# by another process under another umask, locale, time zone, working
# directory and PATH order, it equals the build's root in every path, mode,
# link and byte (and so the build's roots are up to date with gen/).
#   Usage: ... ROOT
# The fixtures do not depend on how the agent was built: a sanitizer build
# does not check them again.
# ctest: UNLESS ORCH_SANITIZE
# ctest: CASES ${ORCH_FIXTURE_ROOTS} ${ORCH_FIXTURE_ROOTS_REFUSED} zfs-uefi-sdboot-rebooted
# ctest: TIMEOUT 600
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
mkdir -p "$T/elsewhere"
(
	cd "$T/elsewhere"
	umask 077
	export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=Pacific/Chatham PATH=/usr/local/bin:/bin:/usr/bin:/sbin:/usr/sbin
	bash "$LIB_DIR/../fixtures/gen/mkroots.sh" "$T/gen" "$FIX"
) >/dev/null 2>"$T/gen.err" || fail "mkroots.sh $FIX failed: $(cat "$T/gen.err")"
expect_same_tree "$R" "$T/gen/$FIX"
