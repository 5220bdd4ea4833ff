#!/bin/bash
# A node whose agent answers with something that is not the protocol fails
# with a clear message; exit 2.
source "$(dirname "$0")/lib.sh"
fleet 2
printf '#!/bin/sh\ncat >/dev/null\necho "Welcome to the node!"\n' >"$T/garbage-agent"
ORCH_AGENT=$T/garbage-agent orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => the agent sent a line that is not a protocol message: 'Welcome to the node!'" "$T/out" ||
	fail "no clear message for garbage"
[[ $(recap node01 failed) == 1 ]] || fail "recap: node01 failed != 1"

head -c 3000000 /dev/zero | tr '\0' 'x' >"$T/long"
printf '#!/bin/sh\ncat >/dev/null\nexec cat %s\n' "$T/long" >"$T/long-agent"
ORCH_AGENT=$T/long-agent orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "FAILED! => the agent sent a line longer than" "$T/out" || fail "no clear message for an endless line"
echo "ok: garbage fails the host"
