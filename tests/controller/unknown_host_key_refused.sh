#!/bin/bash
# A host not in known_hosts is refused, with its fingerprint, when
# --accept-new is not given; known_hosts is not written.
source "$(dirname "$0")/lib.sh"
fleet 2

grep -v "^\[127.0.0.1\]:${PORT[node02]} " "$T/known_hosts" >"$T/kh"
sum=$(sha256sum <"$T/kh")
orch apply "$T/inventory.ini" --known-hosts "$T/kh"
expect_rc 4
grep -q "^fatal: \[node02\]: UNREACHABLE! => host key for .* is unknown: .*$(host_fingerprint node02)" "$T/out" ||
	fail "node02's unknown key not refused with its fingerprint"
[[ $(recap node01 unreachable) == 0 ]] || fail "node01 affected"
[[ $(sha256sum <"$T/kh") == "$sum" ]] || fail "known_hosts was modified"
echo "ok: unknown host key refused"
