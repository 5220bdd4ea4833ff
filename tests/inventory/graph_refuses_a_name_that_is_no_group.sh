#!/bin/bash
# Usage: graph_refuses_a_name_that_is_no_group.sh ORCH SAMPLES_DIR
# `--graph=NAME` where NAME is a host or nothing at all is refused with exit
# status 1 and a message naming it, as ansible-inventory --graph NAME refuses
# it ("Pattern must be valid group name when using --graph"), when installed.
# ctest: ARGS $<TARGET_FILE:orch> ${CMAKE_CURRENT_SOURCE_DIR}/samples
set -uo pipefail
. "$(dirname "$0")/../lib/assert.sh"
orch=$1 sample=$2/precedence.ini
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/ansible.cfg"
for name in r1 no_such_group; do
	out=$("$orch" inventory "$sample" --graph="$name" 2>&1)
	rc=$?
	if [[ $rc == 1 && $out == *"'$name' is not a group"* ]]; then
		check_passed "--graph=$name: $out"
	else
		check_failed "--graph=$name: exit $rc, '$out'"
	fi
	if command -v ansible-inventory >/dev/null; then
		a_out=$(ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_INVENTORY_ENABLED=ini \
			ansible-inventory -i "$sample" --graph "$name" 2>&1)
		if [[ $? != 0 && $a_out == *"Pattern must be valid group name"* ]]; then
			check_passed "ansible-inventory refuses it too"
		else
			check_failed "ansible-inventory does not refuse --graph $name as orch does: $a_out"
		fi
	fi
done
checks_done
