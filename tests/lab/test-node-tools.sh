#!/bin/bash
# The lab's boot chain without QEMU: the node's proxmox-boot-tool,
# update-grub and update-initramfs (run by busybox sh, as in the node) publish
# what a real node's boot loader and initramfs would carry, and only that;
# make-disk.sh builds a node disk whose published command line the host reads
# back with debugfs, as the supervisor does before every boot.
# ctest: NAME node_tools
# ctest: TIMEOUT 60
set -uo pipefail
. "$(dirname "$0")/testlib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LAB_TOOL_LIB=$LAB_DIR/node/lab/tool-lib LAB_TOOLS=$LAB_DIR/node/usr/sbin
bb() { busybox sh "$@"; }
tool() { bb "$LAB_DIR/node/usr/sbin/$1" "${@:2}"; }

# newroot DIR LOADER: a node's /etc as make-disk.sh lays it out, small.
newroot() {
	local r=$1
	rm -rf "$r"
	mkdir -p "$r"/etc/{lab,kernel,default/grub.d,modprobe.d,udev/rules.d} "$r/boot" "$r/var/log"
	printf 'NODE=t\nLOADER=%s\nKVER=6.1.0-99-amd64\nROOT_UUID=1111-uuid\n' "$2" >"$r/etc/lab/node.conf"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=ttyS0"\n' >"$r/etc/default/grub"
	printf '# modules\n' >"$r/etc/modules"
	if [[ $2 == systemd-boot ]]; then
		printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\nsecond line is ignored\n' >"$r/etc/kernel/cmdline"
		echo "ABCD-0123" >"$r/etc/kernel/proxmox-boot-uuids"
	fi
}
published() { cat "$1/boot/published-cmdline" 2>/dev/null; }

phase "update-grub on a plain GRUB node"
r=$tmp/grub
newroot "$r" grub
echo 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=off"' >"$r/etc/default/grub.d/00-vtd-off.cfg"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"' >"$r/etc/default/grub.d/orch.cfg"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="ignored, not a .cfg"' >"$r/etc/default/grub.d/orch.cfg.dpkg-old"
LAB_NODE_ROOT=$r tool update-grub 2>/dev/null
check "publishes root=UUID ro, GRUB_CMDLINE_LINUX, then _DEFAULT with grub.d/*.cfg in name order" \
	test "$(published "$r")" = "root=UUID=1111-uuid ro console=ttyS0 intel_iommu=off quiet intel_iommu=on"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="nomodeset"' >"$r/etc/default/grub.d/zz-admin.cfg"
check "an edit is not published before the next update-grub" \
	test "$(published "$r")" = "root=UUID=1111-uuid ro console=ttyS0 intel_iommu=off quiet intel_iommu=on"
LAB_NODE_ROOT=$r tool update-grub 2>/dev/null
check "the last assignment wins" test "$(published "$r")" = "root=UUID=1111-uuid ro console=ttyS0 intel_iommu=off nomodeset"
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >"$tmp/out"
check "proxmox-boot-tool refresh without proxmox-boot-uuids skips and publishes nothing" \
	bash -c 'grep -q "skipping ESP sync" "$1" && [[ $(cat "$2/boot/published-cmdline") == *nomodeset ]]' _ "$tmp/out" "$r"
check "every run is recorded" test "$(cut -d' ' -f2- "$r/var/log/orch-lab/tools.log" | tr '\n' ,)" = \
	"update-grub,update-grub,proxmox-boot-tool refresh,"

phase "proxmox-boot-tool on a systemd-boot node"
r=$tmp/sdboot
newroot "$r" systemd-boot
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >/dev/null
check "refresh publishes the first line of /etc/kernel/cmdline" \
	test "$(published "$r")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"' >"$r/etc/default/grub.d/orch.cfg"
LAB_NODE_ROOT=$r tool update-grub >/dev/null 2>"$tmp/err"
check "update-grub hands over to proxmox-boot-tool: grub.d changes nothing" \
	bash -c 'grep -q "proxmox-boot-tool refresh" "$1" && [[ $(cat "$2/boot/published-cmdline") == "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet" ]]' _ "$tmp/err" "$r"
printf 'boot=zfs quiet iommu=pt\n' >"$r/etc/kernel/cmdline"
rc=0
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >/dev/null 2>&1 || rc=$?
check "refresh refuses a command line without root= and keeps the last entry" \
	bash -c '[[ $1 != 0 && $(cat "$2/boot/published-cmdline") == "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet" ]]' _ "$rc" "$r"

phase "update-initramfs"
r=$tmp/init
newroot "$r" systemd-boot
printf 'vfio\nvfio_pci\n' >>"$r/etc/modules"
echo 'options vfio-pci ids=1234:1111' >"$r/etc/modprobe.d/vfio.conf"
echo 'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:00:04.0", ATTR{driver_override}="vfio-pci"' >"$r/etc/udev/rules.d/80-x.rules"
LAB_NODE_ROOT=$r tool update-initramfs -u -k all >/dev/null
s=$r/boot/initramfs-snapshot
check "the snapshot carries /etc/modules, modprobe.d and udev rules" \
	bash -c 'grep -qx vfio_pci "$1/modules" && grep -q ids=1234:1111 "$1/modprobe.d/vfio.conf" && grep -q driver_override "$1/udev/rules.d/80-x.rules"' _ "$s"
check "on a proxmox-boot-tool node it also syncs the ESP (publishes the command line)" \
	test "$(published "$r")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet"
echo 'blacklist bochs' >"$r/etc/modprobe.d/late.conf"
check "a later edit is not in the snapshot" test ! -e "$s/modprobe.d/late.conf"
rc=0
LAB_NODE_ROOT=$r tool update-initramfs >/dev/null 2>&1 || rc=$?
check "update-initramfs without -u/-c is a usage error" test "$rc" != 0

phase "update-grub: the kernel GRUB boots"
r=$tmp/kernels
newroot "$r" grub
for k in 6.1.0-56-amd64 6.12.117+deb13-amd64 6.1.0-9-amd64; do echo "$k" >"$r/boot/vmlinuz-$k"; done
LAB_NODE_ROOT=$r tool update-grub 2>/dev/null
check "without GRUB_DEFAULT's choice the newest kernel boots (version order, not name order)" \
	test "$(cat "$r/boot/published-kernel")" = 6.12.117+deb13-amd64
check "grub.cfg lists every kernel in its submenu, newest first" \
	test "$(grep -o "gnulinux-[^']*-advanced-1111-uuid" "$r/boot/grub/grub.cfg" | tr '\n' ' ')" = \
	"gnulinux-6.12.117+deb13-amd64-advanced-1111-uuid gnulinux-6.1.0-56-amd64-advanced-1111-uuid gnulinux-6.1.0-9-amd64-advanced-1111-uuid "
LAB_NODE_ROOT=$r tool proxmox-boot-tool kernel pin 6.1.0-56-amd64 >/dev/null
check "proxmox-boot-tool kernel pin writes proxmox-boot-pin and GRUB_DEFAULT as set_grub_default does" \
	bash -c '[[ $(cat "$1/etc/kernel/proxmox-boot-pin") == 6.1.0-56-amd64 && $(cat "$1/etc/default/grub.d/proxmox-kernel-pin.cfg") == "GRUB_DEFAULT=\"gnulinux-advanced-1111-uuid>gnulinux-6.1.0-56-amd64-advanced-1111-uuid\"" ]]' _ "$r"
check "the pin takes effect with the next update-grub only" test "$(cat "$r/boot/published-kernel")" = 6.12.117+deb13-amd64
LAB_NODE_ROOT=$r tool update-grub 2>/dev/null
check "after update-grub GRUB boots the pinned kernel" test "$(cat "$r/boot/published-kernel")" = 6.1.0-56-amd64
echo 'GRUB_DEFAULT="1>4"' >"$r/etc/default/grub.d/zz-index.cfg"
LAB_NODE_ROOT=$r tool update-grub 2>/dev/null
check "GRUB_DEFAULT=\"1>4\" is the third kernel's entry (each kernel has a recovery entry)" \
	test "$(cat "$r/boot/published-kernel")" = 6.1.0-9-amd64
echo 'GRUB_DEFAULT="gnulinux-advanced-1111-uuid>gnulinux-5.15.0-1-pve-advanced-1111-uuid"' >"$r/etc/default/grub.d/zz-index.cfg"
LAB_NODE_ROOT=$r tool update-grub 2>"$tmp/err"
check "a GRUB_DEFAULT naming no entry falls back to entry 0, the newest" \
	bash -c '[[ $(cat "$1/boot/published-kernel") == 6.12.117+deb13-amd64 ]] && grep -q "falls back to entry 0" "$2"' _ "$r" "$tmp/err"

phase "proxmox-boot-tool refresh: the kernel systemd-boot boots"
r=$tmp/sdkernels
newroot "$r" systemd-boot
for k in 6.1.0-56-amd64 6.12.117+deb13-amd64; do echo "$k" >"$r/boot/vmlinuz-$k"; done
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >/dev/null
check "without a pin the newest" test "$(cat "$r/boot/published-kernel")" = 6.12.117+deb13-amd64
echo 6.1.0-56-amd64 >"$r/etc/kernel/proxmox-boot-pin"
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >/dev/null
check "proxmox-boot-pin" test "$(cat "$r/boot/published-kernel")" = 6.1.0-56-amd64
echo 6.12.117+deb13-amd64 >"$r/etc/kernel/next-boot-pin"
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >/dev/null
check "next-boot-pin before proxmox-boot-pin" test "$(cat "$r/boot/published-kernel")" = 6.12.117+deb13-amd64
echo 9.9.9-gone >"$r/etc/kernel/next-boot-pin"
LAB_NODE_ROOT=$r tool proxmox-boot-tool refresh >/dev/null 2>"$tmp/err"
check "a pin of a kernel not installed is ignored, with a message" \
	bash -c '[[ $(cat "$1/boot/published-kernel") == 6.1.0-56-amd64 ]] && grep -q "not found, ignoring" "$2"' _ "$r" "$tmp/err"

phase "update-initramfs: the init-top scripts in initramfs-tools' order"
r=$tmp/order
newroot "$r" grub
export LAB_INITRAMFS_SHARE=$LAB_DIR/node/usr/share/initramfs-tools
mkdir -p "$r/etc/initramfs-tools/scripts/init-top"
script() { # NAME PREREQ [MODE]
	printf '#!/bin/sh\nPREREQ="%s"\nprereqs() { echo "$PREREQ"; }\ncase $1 in prereqs) prereqs; exit 0 ;; esac\ntrue\n' "$2" \
		>"$r/etc/initramfs-tools/scripts/init-top/$1"
	chmod "${3:-0755}" "$r/etc/initramfs-tools/scripts/init-top/$1"
}
script orch-vfio-pci ""
script after-udev udev
script zz-first-of-all ""
script aa-needs-zz zz-first-of-all
script not-executable "" 0644
LAB_NODE_ROOT=$r tool update-initramfs -u 2>"$tmp/err" >/dev/null
order=$(tr '\n' ' ' <"$r/boot/initramfs-snapshot/scripts/init-top/ORDER")
echo "  ORDER: $order"
before() { [[ " $order" == *" $1 "*" $2 "* || " $order" == *" $1 $2 "* ]]; }
check "udev's script (package) and the admin's (/etc) in one ORDER" \
	test "$(tr ' ' '\n' <<<"$order" | sort | tr '\n' ' ')" = " aa-needs-zz after-udev orch-vfio-pci udev zz-first-of-all "
check "a script without PREREQ that sorts before udev runs before it (orch-vfio-pci, udev)" before orch-vfio-pci udev
check "PREREQ=udev runs after udev" before udev after-udev
check "PREREQ outranks the name (zz-first-of-all before aa-needs-zz)" before zz-first-of-all aa-needs-zz
check "a script that is not executable is left out, with a warning" \
	bash -c '! grep -q not-executable "$1" && grep -q "not-executable: not executable" "$2"' _ "$r/boot/initramfs-snapshot/scripts/init-top/ORDER" "$tmp/err"
unset LAB_INITRAMFS_SHARE

phase "make-disk.sh and the host's view of a node disk"
img=$tmp/image
mkdir -p "$img/tools"
echo 6.1.0-99-amd64 >"$img/kver"
printf 'CONFIG_INTEL_IOMMU=y\n' >"$img/config"
cp "$LAB_DIR/node/lab/tool-lib" "$img/tool-lib"
cp "$LAB_DIR"/node/usr/sbin/* "$LAB_DIR/node/usr/bin/systemctl" "$img/tools/"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/key"
for node in sdboot grub; do
	"$LAB_DIR/make-disk.sh" "$img" "$node" "$tmp/$node.img" "$tmp/key.pub" "$tmp/$node.hostkey" >/dev/null 2>&1
	line=$(debugfs -R "cat /boot/published-cmdline" "$tmp/$node.img" 2>/dev/null)
	uuid=$(debugfs -R "cat /etc/lab/node.conf" "$tmp/$node.img" 2>/dev/null | sed -n 's/^ROOT_UUID=//p')
	check "$node: debugfs reads the published command line, root=UUID of the disk itself" \
		bash -c '[[ $1 == "root=UUID=$2 ro console=ttyS0,115200 "* && -n $2 ]] && blkid -o value -s UUID "$3" | grep -qx "$2"' _ "$line" "$uuid" "$tmp/$node.img"
	check "$node: the disk holds the initramfs snapshot and the lab's key" \
		bash -c 'debugfs -R "ls /boot/initramfs-snapshot" "$1" 2>/dev/null | grep -q modules && [[ $(debugfs -R "cat /root/.ssh/authorized_keys" "$1" 2>/dev/null) == "$(cat "$2")" ]]' _ "$tmp/$node.img" "$tmp/key.pub"
done
check "sdboot is a proxmox-boot-tool node, grub is not" \
	bash -c '[[ -n $(debugfs -R "cat /etc/kernel/proxmox-boot-uuids" "$1" 2>/dev/null) && -z $(debugfs -R "cat /etc/kernel/proxmox-boot-uuids" "$2" 2>/dev/null) ]]' _ "$tmp/sdboot.img" "$tmp/grub.img"
check "grub: VT-d starts off through the node's own GRUB configuration" \
	bash -c '[[ $(debugfs -R "cat /boot/published-cmdline" "$1" 2>/dev/null) == *" intel_iommu=off quiet" ]]' _ "$tmp/grub.img"

t_finish
