#!/bin/bash
# Builds everything and runs every test, as CI does:
#   1. tests/deps.sh installs what is missing;
#   2. build/       RelWithDebInfo, all tests (the QEMU lab included);
#   3. build-asan/  ASan + UBSan, all tests but the lab (label `lab`);
#   4. build-fuzz/  clang with libFuzzer: the fuzz targets only, each
#                   replayed over its corpus and fuzzed briefly (label `fuzz`).
# Exits non-zero when any part fails; every part runs regardless, so one run
# shows all failures. Build trees are reused when present (pciutils is fetched
# once per tree).
#
# Environment: ORCH_CTEST_JOBS (default: the number of cores) runs that many
# tests at once (the lab's tests always run alone);
# ORCH_CI_SKIP_ASAN=1 skips part 3 (for a quick local run, not for CI);
# ORCH_FUZZ_SECONDS (default 15) is how long part 4 fuzzes each target.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
exec </dev/null

jobs=$(nproc)
ctest_jobs=${ORCH_CTEST_JOBS:-$jobs}
failed_parts=()
passed_total=0
failed_total=0

# Runs one part: "name" and a command; records a failure without stopping.
part() {
	local name=$1 start=$SECONDS rc
	shift
	echo "=== ci: $name"
	"$@"
	rc=$?
	echo "=== ci: $name: $([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)") in $((SECONDS - start)) s"
	[[ $rc == 0 ]] || failed_parts+=("$name")
	return "$rc"
}

# Runs ctest in a build tree and adds its counts to the totals.
run_ctest() {
	local dir=$1 log rc
	shift
	log=$(mktemp)
	(cd "$dir" && ctest --output-on-failure --timeout 600 -j "$ctest_jobs" "$@") 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [[ $(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1) =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
		failed_total=$((failed_total + BASH_REMATCH[1]))
		passed_total=$((passed_total + BASH_REMATCH[2] - BASH_REMATCH[1]))
	fi
	rm -f "$log"
	return "$rc"
}

build_tree() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -DORCH_TESTS=ON "$@" && cmake --build "$dir" -j "$jobs"
}

part deps bash tests/deps.sh || {
	echo "ci: installing the dependencies failed" >&2
	exit 1
}

if part "build (build/)" build_tree build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORCH_SANITIZE=OFF; then
	part "tests (build/)" run_ctest build
fi

if [[ ${ORCH_CI_SKIP_ASAN:-0} != 1 ]]; then
	# Sanitizer reports fail the test that triggered them, with a stack.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	if part "build (build-asan/)" build_tree build-asan -DCMAKE_BUILD_TYPE=Debug -DORCH_SANITIZE=ON; then
		part "tests (build-asan/)" run_ctest build-asan -LE lab
	fi
fi

# Only the fuzz targets: the rest of the tree is built and tested above.
build_fuzz_tree() {
	CC=clang cmake -S . -B build-fuzz -DORCH_TESTS=ON -DORCH_FUZZ=ON \
		-DORCH_FUZZ_SECONDS="${ORCH_FUZZ_SECONDS:-15}" &&
		cmake --build build-fuzz -j "$jobs" --target orch_fuzz
}
if part "build (build-fuzz/)" build_fuzz_tree; then
	part "tests (build-fuzz/)" run_ctest build-fuzz -L fuzz
fi

if ((${#failed_parts[@]})); then
	echo "ci: FAILED: ${failed_parts[*]}"
else
	echo "ci: all parts passed"
fi
echo "ci: $passed_total passed, $failed_total failed"
((${#failed_parts[@]} == 0))
