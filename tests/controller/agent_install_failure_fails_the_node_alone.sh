#!/bin/bash
# A node that cannot take the agent fails alone, with the path and the
# shell's own words for what stopped it, and nothing on it changed; the
# other node is applied. One node has a file where orch's directory goes
# (left by hand), one an immutable agent directory (chattr +i), so the
# install itself fails.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
file=${HOSTS[0]} frozen=${HOSTS[1]} good=${HOSTS[2]}
mkdir -p "${ROOT[$file]}/var/lib" "${ROOT[$frozen]}/var/lib/orch/bin"
echo "kept by hand" >"${ROOT[$file]}/var/lib/orch"
chmod 700 "${ROOT[$frozen]}/var/lib/orch" "${ROOT[$frozen]}/var/lib/orch/bin"
chattr +i "${ROOT[$frozen]}/var/lib/orch/bin" 2>/dev/null || { echo "skip: no chattr +i on $T" >&2; exit 77; }
trap 'chattr -i "${ROOT[$frozen]}/var/lib/orch/bin" 2>/dev/null; fleet_cleanup' EXIT
declare -A before
for h in "$file" "$frozen"; do before[$h]=$(tree_sum "${ROOT[$h]}"); done

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
agent="var/lib/orch/bin/orch-agent-[0-9a-f]\{64\}"
grep -q "^fatal: \[$file\]: FAILED! => cannot run the agent at '${ROOT[$file]}/$agent': '.*${ROOT[$file]}/$agent: Not a directory'" "$T/out" ||
	fail "$file: no message naming the file in the way"
grep -q "^fatal: \[$frozen\]: FAILED! => cannot install the agent at '${ROOT[$frozen]}/$agent': '.*${ROOT[$frozen]}/var/lib/orch/bin/\.orch-agent-.*: Operation not permitted'" "$T/out" ||
	fail "$frozen: no message naming the install and its cause"
[[ $(recap "$good" failed) == 0 && $(recap "$good" changed) -gt 0 ]] || fail "$good was not applied"
for h in "$file" "$frozen"; do
	[[ $(tree_sum "${ROOT[$h]}") == "${before[$h]}" ]] || fail "$h changed"
done
[[ $(cat "${ROOT[$file]}/var/lib/orch") == "kept by hand" ]] || fail "$file: the file in orch's place changed"
[[ -z $(find "${ROOT[$frozen]}/var/lib/orch/bin" -mindepth 1) ]] || fail "$frozen: the install left a file"
echo "ok: a node that cannot take the agent fails alone, unchanged"
