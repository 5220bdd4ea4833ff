#!/bin/bash
# The facts read the running guests from the files `qm list` and `pct list`
# read, without running them (each a Perl program, about 0.3 s of CPU on a
# node): stand-ins that record every call and fail show neither ran, and the
# facts still name the running guests.
. "$(dirname "$0")/lib.sh"
use_root zfs-secureboot-grub
for c in qm pct; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$c" "$T/called" >"$R/usr/sbin/$c"
done
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
[[ ! -e $T/called ]] || fail "the facts ran: $(cat "$T/called")"
result facts | jq -e '.facts.running_guests == ["qm 100", "pct 200"]' >/dev/null ||
	fail "running guests: $(result facts | jq -c .facts.running_guests)"
echo "ok: a facts run runs neither qm nor pct"
