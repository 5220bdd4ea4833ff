#!/bin/bash
# A node whose install ends while orch still has much of the agent to send
# (more than an SSH server's window: OpenSSH gives a session 2 MiB) fails
# at once with the shell's own words. Its exit and its close may reach orch
# inside a write that found no window, with its stderr not read yet; orch
# must see them then, not wait for a byte that never comes until the run
# timeout. The node's agent directory is immutable (chattr +i), so the
# install fails as it starts, and nothing on the node changes.
source "$(dirname "$0")/lib.sh"
fleet_with_work 1
h=${HOSTS[0]}
mkdir -p "${ROOT[$h]}/var/lib/orch/bin"
chmod 700 "${ROOT[$h]}/var/lib/orch" "${ROOT[$h]}/var/lib/orch/bin"
chattr +i "${ROOT[$h]}/var/lib/orch/bin" 2>/dev/null || { echo "skip: no chattr +i on $T" >&2; exit 77; }
trap 'chattr -i "${ROOT[$h]}/var/lib/orch/bin" 2>/dev/null; fleet_cleanup' EXIT
before=$(tree_sum "${ROOT[$h]}")
# An agent of 8 MiB: four windows' worth (it never runs).
big=$T/big-agent
{ echo '#!/bin/sh'; head -c 8388608 /dev/zero | tr '\0' '#'; echo; } >"$big"
chmod 755 "$big"

# What is checked is that orch does not wait for its run timeout: the
# shell's words alone would also come after it.
for i in 1 2 3 4 5 6; do
	start=$SECONDS
	ORCH_AGENT=$big orch apply "$T/inventory.ini" "${KH[@]}" --run-timeout 30
	expect_rc 2
	((SECONDS - start < 30)) || fail "run $i: orch waited for its run timeout"
	grep -q "^fatal: \[$h\]: FAILED! => cannot install the agent at '.*': '.*${ROOT[$h]}/var/lib/orch/bin/\.orch-agent-.*: Operation not permitted'" "$T/out" ||
		fail "run $i: no message naming the install and its cause: $(grep "^fatal" "$T/out")"
done
[[ $(tree_sum "${ROOT[$h]}") == "$before" ]] || fail "$h changed"
echo "ok: a node that stops taking the agent fails at once, with its words"
