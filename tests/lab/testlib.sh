# shellcheck shell=bash
# Sourced by the lab's tests (test-*.sh): checks that count, phases that are
# timed, and a lab of the test's own that is stopped whatever happens.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T_PASS=0
T_FAIL=0
T_START=$SECONDS
T_PHASE_START=$SECONDS

# check DESCRIPTION COMMAND...: one check, its outcome on one line.
check() {
	local desc=$1
	shift
	if "$@"; then
		printf 'ok     %s\n' "$desc"
		T_PASS=$((T_PASS + 1))
	else
		printf 'FAILED %s\n' "$desc"
		T_FAIL=$((T_FAIL + 1))
	fi
}

phase() {
	printf '\n--- %s (at %d s)\n' "$*" $((SECONDS - T_START))
	T_PHASE_START=$SECONDS
}

# t_lab_start: a fresh lab in ORCH_LAB_RUN (ctest gives each test its own),
# stopped when the test exits.
t_lab_start() {
	export ORCH_LAB_RUN=$LAB_RUN ORCH_LAB_OWNER=$$
	trap '"$LAB_DIR/lab.sh" stop >/dev/null 2>&1 || true' EXIT
	"$LAB_DIR/lab.sh" start --fresh "$@"
}

# has FACTS REGEX: the facts (facts.sh output) hold a line matching REGEX.
has() { grep -qE "$2" <<<"$1"; }
hasnt() { ! grep -qE "$2" <<<"$1"; }

# tools_log NODE: the boot tools the node ran, one run a line.
tools_log() { lab_ssh "$1" cat /var/log/orch-lab/tools.log; }

t_finish() {
	printf '\nlab test: %d s in all\n' $((SECONDS - T_START))
	printf '%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
	((T_FAIL == 0))
}
