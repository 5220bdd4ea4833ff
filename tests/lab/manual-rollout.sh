#!/bin/bash
# manual-rollout.sh [--skip REFRESH] NODE
# The passthrough procedure done by hand on a lab node, as an admin following
# the Proxmox VE documentation would: kernel options for the boot loader in
# use, vfio modules, vfio-pci by ID (and by address for the NIC whose ID the
# management NIC shares), the host drivers softdep'd/blacklisted, then the
# refresh commands. It changes only what differs and prints "changed N".
#
# The lab's tests use it to show what the lab does with a rollout without
# orch, and --skip update-grub|proxmox-boot-tool|update-initramfs forgets one
# refresh, the classic mistake the lab must catch. It is not orch: orch's
# agent is tested against the lab by test-e2e.sh when it is built.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

skip=none
if [[ ${1:-} == --skip ]]; then
	skip=$2
	shift 2
fi
node=${1:?usage: manual-rollout.sh [--skip REFRESH] NODE}
lab_node_valid "$node" || lab_die "unknown node '$node'"
iommu_pt=false
[[ $node == sdboot ]] && iommu_pt=true # as in the lab's inventory

lab_ssh "$node" sh -s -- "${LAB_GPU_SLOT}" "$LAB_NIC2_PCI" "$iommu_pt" "$skip" <<'NODE'
set -e
slot=$1 nic=$2 iommu_pt=$3 skip=$4
kver=$(uname -r)
changed=0 need_boot=0 need_initramfs=0

# put PATH CONTENT KIND: write PATH when its content differs.
put() {
	if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then return 0; fi
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1.tmp" && mv "$1.tmp" "$1"
	echo "changed $1"
	changed=$((changed + 1))
	eval "need_$3=1"
}

# Kernel options: intel_iommu=on where VT-d is not on by default.
tokens=
if [ -e /sys/firmware/acpi/tables/DMAR ] &&
	! grep -qE '^CONFIG_INTEL_IOMMU_DEFAULT_ON(_INTGPU_OFF)?=y' "/boot/config-$kver"; then
	tokens=intel_iommu=on
fi
[ "$iommu_pt" = true ] && tokens="$tokens iommu=pt"
if [ -s /etc/kernel/proxmox-boot-uuids ]; then
	line=$(head -n1 /etc/kernel/cmdline)
	new=$line
	for t in $tokens; do
		case " $new " in *" $t "*) ;; *) new="$new $t" ;; esac
	done
	put /etc/kernel/cmdline "$new" boot
elif [ -n "$tokens" ]; then
	put /etc/default/grub.d/orch.cfg "GRUB_CMDLINE_LINUX_DEFAULT=\"\$GRUB_CMDLINE_LINUX_DEFAULT$(echo " $tokens" | tr -s ' ')\"" boot
fi

# Modules: vfio_virqfd only where this kernel has it as a module of its own.
mods="vfio vfio_iommu_type1 vfio_pci"
grep -q '/vfio_virqfd\.ko' "/lib/modules/$kver/modules.dep" && mods="$mods vfio_virqfd"
content=$(cat /etc/modules)
for m in $mods; do
	grep -qx "$m" /etc/modules || content="$content
$m"
done
put /etc/modules "$content" initramfs

# vfio-pci: the GPU's functions by ID, the NIC by address (its ID is the
# management NIC's too).
ids= vga= selected=
for d in /sys/bus/pci/devices/$slot.*; do
	id=$(cut -c3- "$d/vendor"):$(cut -c3- "$d/device")
	ids=${ids:+$ids,}$id
	case $(cat "$d/class") in 0x03*) vga=" disable_vga=1" ;; esac
	selected="$selected $d"
done
selected="$selected /sys/bus/pci/devices/$nic"
put /etc/modprobe.d/orch-vfio-pci.conf "options vfio-pci ids=$ids$vga" initramfs
put /etc/udev/rules.d/80-orch-vfio-pci.rules \
	"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"$nic\", ATTR{driver_override}=\"vfio-pci\"" initramfs
# The rule alone comes too late: the initramfs's coldplug binds the NIC to
# its twin's driver first. An init-top script sets driver_override before it.
put /etc/initramfs-tools/scripts/init-top/orch-vfio-pci "#!/bin/sh
PREREQ=\"\"
prereqs() { echo \"\$PREREQ\"; }
case \$1 in prereqs) prereqs; exit 0 ;; esac
echo vfio-pci >/sys/bus/pci/devices/$nic/driver_override" initramfs
chmod 0755 /etc/initramfs-tools/scripts/init-top/orch-vfio-pci

# Host drivers of the selected devices (module names, not driver names):
# softdep all, blacklist those no other device uses. Once the devices are on
# vfio-pci there is nothing to learn, and the file stays as it is.
conf=
for d in $selected; do
	[ -e "$d/driver" ] || continue
	drv=$(basename "$(readlink "$d/driver")")
	[ "$drv" = vfio-pci ] && continue
	mod=$(basename "$(readlink "/sys/bus/pci/drivers/$drv/module")")
	conf="$conf
softdep $mod pre: vfio-pci"
	others=0
	for o in /sys/bus/pci/devices/*; do
		case " $selected " in *" $o "*) continue ;; esac
		[ -e "$o/driver" ] && [ "$(basename "$(readlink "$o/driver")")" = "$drv" ] && others=1
	done
	[ $others = 0 ] && conf="$conf
blacklist $mod"
done
[ -n "$conf" ] && put /etc/modprobe.d/orch-host-drivers.conf "${conf#?}" initramfs

if [ $need_boot = 1 ]; then
	if [ -s /etc/kernel/proxmox-boot-uuids ]; then tool=proxmox-boot-tool; else tool=update-grub; fi
	if [ "$skip" = "$tool" ]; then
		echo "skipped $tool"
	else
		echo "run $tool"
		case $tool in
		update-grub) update-grub >/dev/null 2>&1 ;;
		*) proxmox-boot-tool refresh >/dev/null ;;
		esac
	fi
fi
if [ $need_initramfs = 1 ]; then
	if [ "$skip" = update-initramfs ]; then
		echo "skipped update-initramfs"
	else
		echo "run update-initramfs"
		update-initramfs -u -k all >/dev/null
	fi
fi
echo "changed $changed"
NODE
