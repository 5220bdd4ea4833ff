#!/bin/bash
# Usage: compare_limit.sh INVENTORY_DUMP SAMPLES_DIR
# For every SAMPLES_DIR/NAME.patterns (one host pattern a line, next to
# NAME.ini), the hosts orch selects must be those `ansible -i NAME.ini
# --list-hosts PATTERN` lists; where Ansible warns that a pattern matches
# nothing, orch must refuse it. Exits 77 when ansible is not installed.
# ctest: NAME limit_patterns_select_what_ansible_selects
# ctest: ARGS $<TARGET_FILE:inventory_dump> ${CMAKE_CURRENT_SOURCE_DIR}/samples
# ctest: SKIP_RETURN_CODE 77
# ctest: TIMEOUT 600
set -uo pipefail
. "$(dirname "$0")/../lib/assert.sh"
dump=$1 samples=$2

command -v ansible >/dev/null || { echo "ansible not installed: skipped"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/ansible.cfg"
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_INVENTORY_ENABLED=ini ANSIBLE_INVENTORY_UNPARSED_FAILED=true
cd "$work" || exit 1

n=0
for pf in "$samples"/*.patterns; do
	inv=${pf%.patterns}.ini
	while IFS= read -r pattern; do
		[[ -z $pattern || $pattern == \#* ]] && continue
		n=$((n + 1))
		out=$(ansible -i "$inv" --list-hosts -- "$pattern" 2>"$work/ansible.err")
		if grep -q "Could not match supplied host pattern" "$work/ansible.err"; then
			want="(no match)"
		else
			want=$(sed -n 's/^    //p' <<<"$out" | sort | tr '\n' ' ')
		fi
		if got=$("$dump" -l "$pattern" "$inv" 2>"$work/orch.err"); then
			got=$(sort <<<"$got" | sed '/^$/d' | tr '\n' ' ')
		elif grep -q "could not match supplied host pattern" "$work/orch.err"; then
			got="(no match)"
		else
			got="(error: $(cat "$work/orch.err"))"
		fi
		if [[ $got == "$want" ]]; then
			check_passed "$(basename "$inv") '$pattern': $got"
		else
			check_failed "$(basename "$inv") '$pattern': ansible [$want] orch [$got]"
		fi
	done <"$pf"
done
((n > 0)) || { echo "no patterns in $samples" >&2; exit 1; }
echo "$((n - CHECKS_FAILED))/$n patterns select the same hosts"
((CHECKS_FAILED == 0))
