#!/bin/bash
# The shared assertions (assert.sh) pass what holds, and stop what does not
# with exit status 1 and a message naming both sides; the counted checks go
# on and sum up. Each assertion runs in a subshell, as a test would.
set -uo pipefail
. "$(dirname "$0")/assert.sh"
T=$(mktemp -d /tmp/orch-assert-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
problems=0

# holds NAME COMMAND...: COMMAND passes, silently.
holds() {
	local name=$1 rc
	shift
	("$@") >"$T/out" 2>&1
	rc=$?
	if [[ $rc != 0 || -s $T/out ]]; then
		echo "wrong: $name: exit $rc, said: $(cat "$T/out")"
		problems=$((problems + 1))
	fi
}

# stops NAME MESSAGE COMMAND...: COMMAND exits 1 with MESSAGE on stderr.
stops() {
	local name=$1 want=$2 rc
	shift 2
	("$@"; echo "went on") >"$T/out" 2>"$T/err"
	rc=$?
	if [[ $rc != 1 || -s $T/out || $(cat "$T/err") != "$want" ]]; then
		echo "wrong: $name: exit $rc, stdout '$(cat "$T/out")', stderr '$(cat "$T/err")', expected '$want'"
		problems=$((problems + 1))
	fi
}

holds "assert_eq equal" assert_eq "the mode" 0644 0644
stops "assert_eq different" "FAIL: the mode is '0600', expected '0644'" assert_eq "the mode" 0600 0644
holds "assert_contains" assert_contains "the line" "intel_iommu=on iommu=pt" "iommu=pt"
stops "assert_contains missing" "FAIL: the line lacks 'iommu=pt'; it is:
intel_iommu=on" assert_contains "the line" "intel_iommu=on" "iommu=pt"
holds "assert_not_contains" assert_not_contains "the line" "quiet" "iommu=pt"
stops "assert_not_contains present" "FAIL: the line has 'quiet'; it is:
ro quiet" assert_not_contains "the line" "ro quiet" "quiet"
printf 'a\nb\n' >"$T/a"
printf 'a\nb\n' >"$T/same"
printf 'a\nc\n' >"$T/c"
holds "assert_file_eq same" assert_file_eq "$T/a" "$T/same"
( assert_file_eq "$T/c" "$T/a" ) 2>"$T/err" && { echo "wrong: assert_file_eq passes different files"; problems=$((problems + 1)); }
grep -qx -- '-b' "$T/err" && grep -qx -- '+c' "$T/err" ||
	{ echo "wrong: assert_file_eq does not show the diff: $(cat "$T/err")"; problems=$((problems + 1)); }
RC=2
holds "expect_rc same" expect_rc 2
RC_OF=agent
stops "expect_rc different" "FAIL: agent exited 2, expected 0" expect_rc 0
fail_context() { echo "--- context"; }
stops "fail with the suite's context" "FAIL: it broke
--- context" fail "it broke"
unset -f fail_context

(
	check "true holds" true
	check "false does not" false
	check_passed "by hand"
	checks_done
) >"$T/out"
rc=$?
[[ $rc == 1 && $(cat "$T/out") == "ok     true holds
FAILED false does not
ok     by hand
2 passed, 1 failed" ]] || { echo "wrong: counted checks: exit $rc, said: $(cat "$T/out")"; problems=$((problems + 1)); }
(check "only passes" true; checks_done) >/dev/null ||
	{ echo "wrong: checks_done fails with no failed check"; problems=$((problems + 1)); }

((problems == 0)) && echo "ok: the assertions say what differs"
