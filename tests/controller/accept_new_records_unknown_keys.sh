#!/bin/bash
# --accept-new records the keys of unknown hosts (all workers at once, so the
# file is written under a lock; the file and its directory need not exist),
# and later runs pass the strict check.
source "$(dirname "$0")/lib.sh"
fleet 6
KHF=$T/new-dir/known_hosts

orch apply "$T/inventory.ini" --known-hosts "$KHF" --accept-new
expect_rc 0
for h in "${HOSTS[@]}"; do
	grep -q "^\[$h\] recorded host key .*$(host_fingerprint "$h")" "$T/out" || fail "$h: no note of the recorded key"
	found=$(ssh-keygen -F "[127.0.0.1]:${PORT[$h]}" -f "$KHF" | grep -v '^#' | awk '{print $2, $3}')
	[[ $found == "$(cut -d' ' -f1,2 "$T/hosts/$h/ssh_host_ed25519_key.pub")" ]] || fail "$h: key not recorded right: '$found'"
done
[[ $(grep -c . "$KHF") == "${#HOSTS[@]}" ]] || fail "known_hosts has $(grep -c . "$KHF") lines for ${#HOSTS[@]} hosts"
orch apply "$T/inventory.ini" --known-hosts "$KHF"
expect_rc 0
echo "ok: --accept-new recorded ${#HOSTS[@]} keys"
