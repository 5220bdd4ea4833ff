#!/bin/bash
# A vfio-pci.ids= on the configured kernel command line is applied after
# every modprobe.d file, so it would win over orch's ids: kernel_cmdline
# takes it out where it is written (GRUB's defaults, /etc/kernel/cmdline),
# naming the file:line, and modprobe then applies orch's ids. One that
# gives the very IDs orch binds agrees and stays.
. "$(dirname "$0")/lib.sh"

# GRUB: the how-to's ids of the GPU this node had before.
use_root lvm-uefi-grub
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"/GRUB_CMDLINE_LINUX_DEFAULT="quiet vfio-pci.ids=10de:1b81,10de:10f0"/' "$(f /etc/default/grub)"
cp -a "$(f /etc/default/grub)" "$P/etc/default/grub"
for root in "$R" "$P"; do # the admin published it
	"$root/usr/sbin/update-grub" >/dev/null 2>&1
	: >"$root/var/log/orch-fixture/commands.log"
done
[[ $(modprobe_setting vfio_pci.ids from) == "the kernel command line" ]] || fail "setup: $(modprobe_facts)"
apply
expect_ok_run
expect_status kernel_cmdline changed
m=$(msg_of kernel_cmdline)
for id in 10de:1b81 10de:10f0; do
	grep -qF "removed 'vfio-pci.ids=$id' from /etc/default/grub:9" <<<"$m" || fail "not named: $m"
done
expect_line /etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
expect_no_token "$(grub_linux_line /boot/grub/grub.cfg)" 'vfio[-_]pci\.ids=.*'
[[ $(modprobe_setting vfio_pci.ids) == 1002:73bf,1002:ab28 ]] || fail "effective ids: $(modprobe_facts)"
grep -qF "kernel command line" <<<"$(msg_of vfio_bind)" && fail "vfio_bind still reports the removed token: $(msg_of vfio_bind)"
expect_second_apply_and_rollback

# systemd-boot: the same in the first line of /etc/kernel/cmdline.
use_root zfs-uefi-sdboot
sed -i '1s/$/ vfio_pci.ids=10de:1b80/' "$(f /etc/kernel/cmdline)"
cp -a "$(f /etc/kernel/cmdline)" "$P/etc/kernel/cmdline"
publish_pins "$R"
publish_pins "$P"
apply
expect_ok_run
grep -qF "removed 'vfio_pci.ids=10de:1b80' from /etc/kernel/cmdline:1" <<<"$(msg_of kernel_cmdline)" ||
	fail "not named: $(msg_of kernel_cmdline)"
expect_no_token "$(first_line /etc/kernel/cmdline)" 'vfio[-_]pci\.ids=.*'
expect_second_apply_and_rollback

# The very IDs orch binds: left as they are.
use_root zfs-uefi-sdboot
sed -i '1s/$/ vfio-pci.ids=10de:10f0,10de:1b81/' "$(f /etc/kernel/cmdline)"
apply
expect_ok_run
expect_tokens "$(first_line /etc/kernel/cmdline)" vfio-pci.ids=10de:10f0,10de:1b81
