#!/bin/bash
# Usage: compare_graph.sh ORCH SAMPLES_DIR
# For every SAMPLES_DIR/*.ini, `orch inventory FILE --graph` must print what
# `ansible-inventory -i FILE --graph` prints, byte for byte, and so must
# `--graph=GROUP` for every group ansible-inventory lists.
# Exits 77 (skipped) when ansible-inventory is not installed.
# ctest: NAME graph_equals_ansible_inventory_graph_on_samples
# ctest: ARGS $<TARGET_FILE:orch> ${CMAKE_CURRENT_SOURCE_DIR}/samples
# ctest: SKIP_RETURN_CODE 77
# ctest: TIMEOUT 600
set -uo pipefail
. "$(dirname "$0")/../lib/assert.sh"
orch=$1 samples=$2

command -v ansible-inventory >/dev/null || { echo "ansible-inventory not installed: skipped"; exit 77; }
command -v jq >/dev/null || { echo "jq not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As in compare_list.sh: no configuration of the caller's, the ini plugin only.
: >"$work/ansible.cfg"
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_INVENTORY_ENABLED=ini ANSIBLE_INVENTORY_UNPARSED_FAILED=true
cd "$work" || exit 1

n=0
# compare NAME [GROUP]
compare() {
	local name=$1 group=${2-} what=$1
	local -a a_args=() o_args=(--graph)
	if [[ -n $group ]]; then
		a_args=("$group") o_args=("--graph=$group") what="$name --graph $group"
	fi
	n=$((n + 1))
	if ! ansible-inventory -i "$work/$name" --graph "${a_args[@]}" >"$work/ansible.txt" 2>"$work/ansible.err"; then
		check_failed "$what: ansible-inventory rejects it:"; cat "$work/ansible.err"
		return
	fi
	if ! "$orch" inventory "$work/$name" "${o_args[@]}" >"$work/orch.txt" 2>"$work/orch.err"; then
		check_failed "$what: orch rejects it:"; cat "$work/orch.err"
		return
	fi
	if diff -u "$work/ansible.txt" "$work/orch.txt" >"$work/diff"; then
		check_passed "$what"
	else
		check_failed "$what (- ansible-inventory, + orch):"; cat "$work/diff"
	fi
}

for f in "$samples"/*.ini; do
	name=$(basename "$f")
	cp "$f" "$work/$name"
	compare "$name"
	groups=$(ansible-inventory -i "$work/$name" --list 2>/dev/null | jq -r 'keys[] | select(. != "_meta")') || {
		check_failed "$name: ansible-inventory --list rejects it"
		continue
	}
	while IFS= read -r g; do
		[[ -n $g ]] && compare "$name" "$g"
	done <<<"$groups"
done
((n > 0)) || { echo "no samples in $samples" >&2; exit 1; }
echo "$((n - CHECKS_FAILED))/$n graphs printed the same"
((CHECKS_FAILED == 0))
