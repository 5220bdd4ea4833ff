# shellcheck shell=bash
# The assertions every shell test shares (sourced by tests/agent/lib.sh,
# tests/controller/lib.sh, tests/lab/testlib.sh and the scripts that stand
# alone). Two kinds:
#
# - fail and the assert_* functions stop the test at the first failure:
#   "FAIL: <what differs>" on stderr, then whatever the suite's fail_context
#   function (when it defines one) adds, such as the last output of the
#   program under test; exit status 1.
# - check, check_passed and check_failed count and go on, for a test that
#   reports every failure of a run (a lab boot, a list of samples);
#   checks_done ends it.

# fail MESSAGE...: the test fails here.
fail() {
	echo "FAIL: $*" >&2
	if declare -F fail_context >/dev/null; then
		fail_context >&2
	fi
	exit 1
}

# assert_eq WHAT GOT WANT: GOT is WANT.
assert_eq() {
	[[ $2 == "$3" ]] || fail "$1 is '$2', expected '$3'"
}

# assert_contains WHAT TEXT PART: TEXT has PART (a fixed string).
assert_contains() {
	[[ $2 == *"$3"* ]] || fail "$1 lacks '$3'; it is:
$2"
}

# assert_not_contains WHAT TEXT PART: TEXT does not have PART.
assert_not_contains() {
	[[ $2 != *"$3"* ]] || fail "$1 has '$3'; it is:
$2"
}

# assert_file_eq FILE WANT_FILE: the two files are the same bytes; the
# message is their unified diff.
assert_file_eq() {
	cmp -s "$2" "$1" || fail "$1 differs from $2:
$(diff -u "$2" "$1" | head -n 60)"
}

# expect_rc STATUS: the last run's exit status, $RC, is STATUS. RC_OF names
# the program that ran ("agent", "orch").
expect_rc() {
	[[ $RC == "$1" ]] || fail "${RC_OF:-the command} exited $RC, expected $1"
}

CHECKS_PASSED=0
CHECKS_FAILED=0

# check_passed MESSAGE / check_failed MESSAGE: one check's outcome, on a line.
check_passed() {
	printf 'ok     %s\n' "$*"
	CHECKS_PASSED=$((CHECKS_PASSED + 1))
}

check_failed() {
	printf 'FAILED %s\n' "$*"
	CHECKS_FAILED=$((CHECKS_FAILED + 1))
}

# check DESCRIPTION COMMAND...: runs COMMAND; its status is the check's outcome.
check() {
	local desc=$1
	shift
	if "$@"; then
		check_passed "$desc"
	else
		check_failed "$desc"
	fi
}

# checks_done: "N passed, M failed"; false when a check failed.
checks_done() {
	printf '%d passed, %d failed\n' "$CHECKS_PASSED" "$CHECKS_FAILED"
	((CHECKS_FAILED == 0))
}
