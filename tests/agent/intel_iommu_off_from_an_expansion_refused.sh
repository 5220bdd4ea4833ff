#!/bin/bash
# An intel_iommu=off that comes out of a variable cannot be edited out of a
# word safely: the step fails naming the file:line of the assignment, and
# nothing on the node changes (the admin's literal one is not touched either).
. "$(dirname "$0")/lib.sh"
use_root grub-pinned-intel-off
printf 'OFF=intel_iommu=off\nGRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT $OFF"\n' >"$R/etc/default/grub.d/local.cfg"
cp -p "$R/etc/default/grub.d/local.cfg" "$P/etc/default/grub.d/local.cfg"
apply
expect_rc 1
expect_status kernel_cmdline failed
msg_of kernel_cmdline | grep -qF "/etc/default/grub.d/local.cfg:2" ||
	fail "the failure does not name the assignment: $(msg_of kernel_cmdline)"
expect_same_tree "$P" "$R" var/log/orch-fixture/commands.log
