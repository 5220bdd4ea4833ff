#!/bin/bash
# Diff mode: every changed file comes with {path, before, after, unified};
# before is the old content (null for a new file), after what is now on the
# node, and the unified diff turns before into after. With check mode too,
# the same diffs come and nothing is written.   Usage: ... ROOT
# ctest: CASES zfs-uefi-sdboot lvm-uefi-grub zfs-secureboot-grub
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"

check_diffs() {
	local n=0 i path
	n=$(jq -s '[.[] | select(.diff) | .diff[]] | length' "$T/out")
	[[ $n -gt 0 ]] || fail "no diffs in diff mode"
	for ((i = 0; i < n; i++)); do
		jq -s ".[] | select(.diff) | .diff[]" "$T/out" | jq -s ".[$i]" >"$T/d.json"
		path=$(jq -r .path "$T/d.json")
		[[ $path == /* ]] || fail "diff path '$path' is not absolute on the node"
		jq -e '.unified | type == "string" and startswith("--- ")' "$T/d.json" >/dev/null ||
			fail "$path: unified diff does not start with '--- '"
		jq -e '.unified | test("\n\\+\\+\\+ [^\n]*\n@@ ")' "$T/d.json" >/dev/null ||
			fail "$path: no '+++' header followed by a hunk"
		if jq -e '.before == null' "$T/d.json" >/dev/null; then
			[[ ! -e $P$path ]] || fail "$path: before is null but the file existed"
			: >"$T/before"
		else
			jq -j .before "$T/d.json" >"$T/before"
			cmp -s "$T/before" "$P$path" || fail "$path: before is not the original content"
		fi
		jq -j .after "$T/d.json" >"$T/after"
		jq -j .unified "$T/d.json" >"$T/unified"
		patch -s -o "$T/patched" "$T/before" <"$T/unified" >/dev/null 2>&1 ||
			fail "$path: the unified diff does not apply to before:
$(cat "$T/unified")"
		cmp -s "$T/patched" "$T/after" || fail "$path: before + unified diff is not after"
		if [[ $1 == applied ]]; then
			cmp -s "$T/after" "$R$path" || fail "$path: after is not what is on the node"
		fi
	done
}

apply --check --diff --iommu-pt
expect_ok_run
check_diffs planned
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
expect_no_commands

apply --diff --iommu-pt
expect_ok_run
check_diffs applied
