#!/bin/bash
# --accept-new records the keys of unknown hosts (all workers at once, so the
# file is written under a lock), and later runs pass the strict check.
source "$(dirname "$0")/lib.sh"
fleet 6

: >"$T/kh"
orch apply "$T/inventory.ini" --known-hosts "$T/kh" --accept-new
expect_rc 0
for h in "${HOSTS[@]}"; do
	grep -q "^\[$h\] recorded host key .*$(host_fingerprint "$h")" "$T/out" || fail "$h: no note of the recorded key"
	found=$(ssh-keygen -F "[127.0.0.1]:${PORT[$h]}" -f "$T/kh" | grep -v '^#' | awk '{print $2, $3}')
	[[ $found == "$(cut -d' ' -f1,2 "$T/hosts/$h/ssh_host_ed25519_key.pub")" ]] || fail "$h: key not recorded right: '$found'"
done
[[ $(grep -c . "$T/kh") == "${#HOSTS[@]}" ]] || fail "known_hosts has $(grep -c . "$T/kh") lines for ${#HOSTS[@]} hosts"
orch apply "$T/inventory.ini" --known-hosts "$T/kh"
expect_rc 0
echo "ok: --accept-new recorded ${#HOSTS[@]} keys"
