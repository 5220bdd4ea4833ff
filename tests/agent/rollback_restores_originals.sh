#!/bin/bash
# Backups and rollback: after a full apply each backup under
# /var/lib/orch/backup/files is the original byte for byte (mode kept), each
# absent-marker names a file that did not exist; the rollback step then
# and the refresh step after it (as the agent's rollback step leaves the
# refreshes to it) restore the root to the pristine fixture, orch's state
# dir and the fixture's command log aside: the boot configuration is
# regenerated from the restored files.   Usage: ... ROOT
# ctest: CASES ${ORCH_FIXTURE_ROOTS}
. "$(dirname "$0")/lib.sh"
use_root "${1:?usage: $0 ROOT}"
apply --iommu-pt
expect_ok_run

b=$R/var/lib/orch/backup
[[ -d $b/files || -d $b/absent ]] || fail "no backups under /var/lib/orch/backup"
n=0
while IFS= read -r -d '' file; do
	rel=${file#"$b/files"}
	[[ -e $P$rel ]] || fail "backup of '$rel', which the fixture does not have"
	cmp -s "$file" "$P$rel" || fail "backup of '$rel' differs from the original"
	[[ $(stat -c %a "$file") == "$(stat -c %a "$P$rel")" ]] || fail "backup of '$rel' lost its mode"
	n=$((n + 1))
done < <(find "$b/files" -type f -print0 2>/dev/null)
while IFS= read -r -d '' file; do
	rel=${file#"$b/absent"}
	[[ ! -e $P$rel ]] || fail "'$rel' is marked absent but existed"
	[[ -e $R$rel ]] || fail "'$rel' is marked absent but orch did not create it"
	n=$((n + 1))
done < <(find "$b/absent" -type f -print0 2>/dev/null)
[[ $n -gt 0 ]] || fail "nothing backed up"

rollback_plan refresh >"$T/rollback.json"
run_agent "$T/rollback.json"
expect_ok_run
expect_status rollback changed
expect_same_tree "$P" "$R" var/lib/orch var/log/orch-fixture/commands.log
