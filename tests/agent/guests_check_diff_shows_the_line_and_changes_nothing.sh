#!/bin/bash
# --check --diff reports the change with the configuration line it adds,
# and runs nothing.
. "$(dirname "$0")/guests_lib.sh"
use_root zfs-uefi-sdboot
mapping_cfg pve-sd1
guests_run --check --diff '{"mapping":"gpu","vmids":[100]}'
expect_ok_run
expect_status guests changed
u=$(result guests | jq -r '.diff[0].unified')
assert_contains "the diff" "$u" "+++ /etc/pve/qemu-server/100.conf"
assert_contains "the diff" "$u" $'\n+hostpci0: mapping=gpu,pcie=1\n'
[[ $(grep -c '^[-+][^-+]' <<<"$u") == 1 ]] || fail "the diff changes more than one line: $u"
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
expect_ran_none "qm set"
