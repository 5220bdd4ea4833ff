# Shared by the tests of a node that lies or dies (sourced after lib.sh):
# some hosts of a fleet misbehave, the others are healthy and must be
# applied all the same, and orch must give each bad one up within its
# timeout and with bounded memory whatever it sends.
#
# The agent pushed to every node is a stand-in: on a host with a script
# $T/bad-HOST.sh it runs that (the plan in $PLAN), elsewhere the real agent.
# Being one file, it is pushed once and stays content-addressed in place.

cat >"$T/agent" <<SH
#!/bin/bash
$STANDIN_PLAN
if [[ \$plan =~ \"host\":\"([a-z0-9]+)\" && -f $T/bad-\${BASH_REMATCH[1]}.sh ]]; then
	export PLAN=\$plan
	exec /bin/bash "$T/bad-\${BASH_REMATCH[1]}.sh"
fi
printf '%s' "\$plan" | exec "$ORCH_AGENT"
SH
chmod 0755 "$T/agent"

# A case may leave node processes stopped (their pids in $T/frozen).
bad_node_cleanup() {
	local pid
	if [[ -f $T/frozen ]]; then
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null || true
		done <"$T/frozen"
	fi
	fleet_cleanup
}
trap bad_node_cleanup EXIT

# The hosts that misbehave; the others must be applied.
BAD_HOSTS=" "
is_bad() {
	[[ $BAD_HOSTS == *" $1 "* ]]
}

# bad_node HOST SCRIPT: what HOST's agent does from now on.
bad_node() {
	printf '%s\n' "$2" >"$T/bad-$1.sh"
	is_bad "$1" || BAD_HOSTS+="$1 "
}

# healthy_roots: every node but node01 back to its untouched fixture, so
# that the next apply has changes to make there. Only what an apply writes
# is copied back: the rest of a root is thousands of sysfs files.
healthy_roots() {
	local h d
	for h in "${HOSTS[@]}"; do
		is_bad "$h" && continue
		for d in etc boot var; do
			rm -rf "${ROOT[$h]:?}/$d"
			[[ ! -e ${PRISTINE_OF[$h]}/$d ]] || cp -a "${PRISTINE_OF[$h]}/$d" "${ROOT[$h]}/$d"
		done
	done
}

# orch_measured ARGS...: like orch (the stand-in agent, the test's
# known_hosts), timed and under /usr/bin/time; sets RC, SECS and RSS_KIB
# (peak resident set of orch).
orch_measured() {
	local start=$SECONDS
	set +e
	# Under ASan freed memory waits in a quarantine (256 MiB by default):
	# a small one makes the peak what orch holds, not what it has freed.
	env -u SSH_AUTH_SOCK NO_COLOR=1 ORCH_AGENT="$T/agent" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8" \
		/usr/bin/time -f %M -o "$T/rss" "$ORCH" "$@" "${KH[@]}" >"$T/out" 2>&1
	RC=$?
	set -e
	SECS=$((SECONDS - start))
	RSS_KIB=$(tail -n1 "$T/rss")
	[[ $RSS_KIB =~ ^[0-9]+$ ]] || fail "no peak RSS from /usr/bin/time: $(cat "$T/rss")"
}

# measure_baseline: the peak RSS of orch applying the healthy fleet. A bad node
# may cost one line buffer and the SSH buffers on top of it, not what it sends.
RSS_SLACK_KIB=$((48 * 1024))
measure_baseline() {
	orch_measured apply "$T/inventory.ini"
	expect_rc 0
	BASE_RSS_KIB=$RSS_KIB
	echo "baseline: peak RSS $((BASE_RSS_KIB / 1024)) MiB"
	# Fresh again, so that the next apply has changes to make.
	healthy_roots
}

# expect_bad_node CASE EXIT-STATUS MESSAGE-ERE MAX-SECONDS HOST: HOST
# failed (or was unreachable) with MESSAGE, the run took at most
# MAX-SECONDS, and orch's peak RSS stayed within the slack of the baseline
# (and below 100 MiB in a build without sanitizers); the hosts that are not
# bad were applied.
expect_bad_node() {
	local name=$1 rc=$2 msg=$3 max=$4 bad=$5 h state=failed
	((rc == 4)) && state=unreachable
	[[ $RC == "$rc" ]] || fail "$name: expected exit status $rc, got $RC"
	grep -Eq "^fatal: \[$bad\]: (FAILED|UNREACHABLE)! => $msg" "$T/out" ||
		fail "$name: no clear message for $bad (wanted /$msg/)"
	[[ $(recap "$bad" "$state") == 1 ]] || fail "$name: $bad is not $state in the recap"
	((SECS <= max)) || fail "$name: the run took $SECS s (at most $max s)"
	((RSS_KIB <= BASE_RSS_KIB + RSS_SLACK_KIB)) ||
		fail "$name: peak RSS $RSS_KIB KiB, baseline $BASE_RSS_KIB KiB"
	if ! ldd "$ORCH" | grep -q libasan; then
		((RSS_KIB < 100 * 1024)) || fail "$name: peak RSS $RSS_KIB KiB"
	fi
	for h in "${HOSTS[@]}"; do
		is_bad "$h" && continue
		[[ $(recap "$h" failed) == 0 && $(recap "$h" unreachable) == 0 ]] || fail "$name: $h was not applied"
		[[ $(recap "$h" changed) -gt 0 ]] || fail "$name: $h changed nothing"
		! diff -rq "${PRISTINE_OF[$h]}/etc" "${ROOT[$h]}/etc" >/dev/null || fail "$name: $h's /etc did not change"
	done
	echo "ok: $name: $(grep -m1 "^fatal: \[$bad\]" "$T/out" | cut -d'>' -f2-) ($SECS s, peak RSS $((RSS_KIB / 1024)) MiB)"
}
