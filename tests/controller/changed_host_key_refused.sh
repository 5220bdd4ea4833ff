#!/bin/bash
# A host whose key differs from known_hosts is refused with the fingerprint
# of the key it sent, even with --accept-new, and known_hosts is left alone.
source "$(dirname "$0")/lib.sh"
fleet 3

ssh-keygen -q -t ed25519 -N '' -f "$T/other_key"
grep -v "^\[127.0.0.1\]:${PORT[node02]} " "$T/known_hosts" >"$T/kh"
echo "[127.0.0.1]:${PORT[node02]} $(cut -d' ' -f1,2 "$T/other_key.pub")" >>"$T/kh"
sum=$(sha256sum <"$T/kh")
for extra in "" --accept-new; do
	orch apply "$T/inventory.ini" --known-hosts "$T/kh" $extra
	expect_rc 4
	grep -q "^fatal: \[node02\]: UNREACHABLE! => host key for .* has changed: .*$(host_fingerprint node02)" "$T/out" ||
		fail "node02's changed key not refused with its fingerprint (${extra:-strict})"
	[[ $(recap node01 unreachable) == 0 && $(recap node03 unreachable) == 0 ]] || fail "other hosts affected"
	[[ $(sha256sum <"$T/kh") == "$sum" ]] || fail "known_hosts was modified (${extra:-strict})"
	[[ $(agent_stamp node02) == none ]] || fail "the agent was sent to the refused host"
done
echo "ok: changed host key refused"
