#!/bin/bash
# Usage: compare_list.sh INVENTORY_DUMP SAMPLES_DIR
# For every SAMPLES_DIR/*.ini, and every tree of sources in
# SAMPLES_DIR/trees/, the JSON orch prints (inventory_dump) must be the JSON
# `ansible-inventory -i SOURCE... --list` prints, compared as JSON (jq -S).
# Exits 77 (skipped) when ansible-inventory is not installed.
# ctest: NAME list_json_equals_ansible_inventory_on_samples
# ctest: ARGS $<TARGET_FILE:inventory_dump> ${CMAKE_CURRENT_SOURCE_DIR}/samples
# ctest: SKIP_RETURN_CODE 77
# ctest: TIMEOUT 600
set -uo pipefail
. "$(dirname "$0")/../lib/assert.sh"
dump=$1 samples=$2

command -v ansible-inventory >/dev/null || { echo "ansible-inventory not installed: skipped"; exit 77; }
command -v jq >/dev/null || { echo "jq not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No ansible.cfg, group_vars/ or host_vars/ of the caller's may change the result;
# only the ini plugin may read the file, and a file it rejects is a failure.
: >"$work/ansible.cfg"
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_INVENTORY_ENABLED=ini ANSIBLE_INVENTORY_UNPARSED_FAILED=true
cd "$work" || exit 1

n=0
for f in "$samples"/*.ini; do
	name=$(basename "$f")
	cp "$f" "$work/$name"
	n=$((n + 1))
	if ! ansible-inventory -i "$work/$name" --list 2>"$work/ansible.err" | jq -S . >"$work/ansible.json"; then
		check_failed "$name: ansible-inventory rejects it:"; cat "$work/ansible.err"
		continue
	fi
	if ! "$dump" "$work/$name" 2>"$work/orch.err" | jq -S . >"$work/orch.json"; then
		check_failed "$name: orch rejects it:"; cat "$work/orch.err"
		continue
	fi
	if diff -u "$work/ansible.json" "$work/orch.json" >"$work/diff"; then
		check_passed "$name"
	else
		check_failed "$name (- ansible-inventory, + orch):"; cat "$work/diff"
	fi
done
# Trees: SAMPLES_DIR/trees/NAME/ holds the sources named in its file
# `sources`, with their group_vars/ and host_vars/; every plugin of Ansible's
# default list may read them, and a source it fails on is a failure.
for t in "$samples"/trees/*/; do
	name=trees/$(basename "$t")
	mapfile -t srcs <"$t/sources"
	n=$((n + 1))
	args=()
	for s in "${srcs[@]}"; do args+=(-i "$s"); done
	if ! (cd "$t" && env -u ANSIBLE_INVENTORY_ENABLED ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true \
		ansible-inventory "${args[@]}" --list) 2>"$work/ansible.err" | jq -S . >"$work/ansible.json"; then
		check_failed "$name: ansible-inventory rejects it:"; cat "$work/ansible.err"
		continue
	fi
	if ! (cd "$t" && "$dump" "${srcs[@]}") 2>"$work/orch.err" | jq -S . >"$work/orch.json"; then
		check_failed "$name: orch rejects it:"; cat "$work/orch.err"
		continue
	fi
	if diff -u "$work/ansible.json" "$work/orch.json" >"$work/diff"; then
		check_passed "$name"
	else
		check_failed "$name (- ansible-inventory, + orch):"; cat "$work/diff"
	fi
done
((n > 0)) || { echo "no samples in $samples" >&2; exit 1; }
echo "$((n - CHECKS_FAILED))/$n samples read the same"
((CHECKS_FAILED == 0))
