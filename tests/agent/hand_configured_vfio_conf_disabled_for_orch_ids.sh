#!/bin/bash
# The how-to's /etc/modprobe.d/vfio.conf sorts after orch-vfio-pci.conf, so
# its ids= (for the GPU the node had before) would win. orch disables that
# line in place, naming the file and line, and the ids modprobe applies are
# then orch's: by orch's own reading and by the real modprobe's.
. "$(dirname "$0")/lib.sh"
use_root hand-configured
[[ $(modprobe_setting vfio_pci.ids) == 10de:1b81,10de:10f0 ]] || fail "setup: the how-to's ids do not win before the apply"
[[ $(modprobe_setting vfio_pci.ids from) == /etc/modprobe.d/vfio.conf:1 ]] || fail "setup: ids not from vfio.conf:1"
[[ $(real_modprobe_value vfio_pci ids) == 10de:1b81,10de:10f0 ]] || fail "setup: modprobe -c disagrees"
apply
expect_ok_run
expect_status vfio_bind changed
grep -qF "disabled /etc/modprobe.d/vfio.conf:1 (options vfio-pci ids=10de:1b81,10de:10f0 disable_vga=1)" <<<"$(msg_of vfio_bind)" ||
	fail "the message does not name the line: $(msg_of vfio_bind)"
expect_line /etc/modprobe.d/vfio.conf "# disabled by orch (vfio-pci ids= is set in /etc/modprobe.d/orch-vfio-pci.conf; orch decided vfio-pci disable_vga=0): options vfio-pci ids=10de:1b81,10de:10f0 disable_vga=1"
expect_vfio_ids 1002:73bf 1002:ab28
[[ $(modprobe_setting vfio_pci.ids) == 1002:73bf,1002:ab28 ]] || fail "effective ids: $(modprobe_setting vfio_pci.ids)"
[[ $(modprobe_setting vfio_pci.ids from) == /etc/modprobe.d/orch-vfio-pci.conf:2 ]] ||
	fail "effective ids from $(modprobe_setting vfio_pci.ids from)"
[[ $(real_modprobe_value vfio_pci ids) == 1002:73bf,1002:ab28 ]] ||
	fail "modprobe -c gives vfio_pci ids=$(real_modprobe_value vfio_pci ids)"
# disable_vga is orch's too: left unset at auto, so the how-to's =1 goes
[[ -z $(real_modprobe_value vfio_pci disable_vga) ]] ||
	fail "modprobe -c gives vfio_pci disable_vga=$(real_modprobe_value vfio_pci disable_vga)"
