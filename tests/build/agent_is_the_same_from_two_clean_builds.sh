#!/bin/bash
# Two clean builds of the agent, from copies of the source tree at two other
# paths, in build trees of their own, give the agent of this build byte for
# byte: the SHA-256 every node is checked against depends on the source tree
# alone (not on where it is checked out or built, nor on what a mirror serves:
# pciutils comes from the files this build checked against the pinned hashes).
#
# Usage: agent_is_the_same_from_two_clean_builds.sh SOURCE_DIR BINARY_DIR AGENT
set -euo pipefail
src=$1 bin=$2 agent=$3
download=$bin/_deps/pciutils/download
[[ -f $download/pciutils_3.9.0-4.dsc ]] || {
	echo "no checked pciutils download in $download (built from ORCH_PCIUTILS_SOURCE?): skipped"
	exit 77
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

want=$(sha256sum "$agent" | cut -d' ' -f1)
n=0
for where in a "a longer/path with a space/b"; do
	n=$((n + 1))
	copy="$work/$where/src"
	mkdir -p "$copy"
	# The source tree without its build trees, history and tests.
	tar -C "$src" --exclude='./build*' --exclude=./.git --exclude=./tests -cf - . | tar -C "$copy" -xf -
	cmake -S "$copy" -B "$work/$where/build$n" -DORCH_TESTS=OFF \
		-DORCH_PCIUTILS_DOWNLOAD="$download" >"$work/configure$n.log" 2>&1 || {
		cat "$work/configure$n.log"
		exit 1
	}
	cmake --build "$work/$where/build$n" -j2 --target orch-agent >"$work/build$n.log" 2>&1 || {
		tail -40 "$work/build$n.log"
		exit 1
	}
	got=$(sha256sum "$work/$where/build$n/agent/orch-agent" | cut -d' ' -f1)
	echo "build $n ($where): $got"
	if [[ $got != "$want" ]]; then
		echo "FAIL: the agent of clean build $n differs from this build's ($want)" >&2
		cmp -l "$agent" "$work/$where/build$n/agent/orch-agent" | head -5 >&2 || true
		exit 1
	fi
done
echo "ok: both clean builds give this build's agent, $want"
