#!/bin/bash
# facts.sh NODE: what the node's running kernel says about passthrough, read
# from its sysfs, /proc and kernel log over SSH. One fact a line:
#   boot_id ID | cmdline ... | iommu_units NAMES | iommu_groups N
#   group N TYPE MEMBERS... | pci ADDR VEN:DEV CLASS driver=D group=G override=O
#   module NAME | ssh ADDR IFACE [master BR] [pci ADDR] | kernel KVER
#   iomem RANGE : NAME (firmware framebuffers, the boot VGA's BAR 0)
#   fb N NAME (/proc/fb) | log LINE
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node=${1:?usage: facts.sh NODE}
lab_node_valid "$node" || lab_die "unknown node '$node'"

lab_ssh "$node" sh -s <<'NODE'
echo "boot_id $(cat /proc/sys/kernel/random/boot_id)"
echo "cmdline $(cat /proc/cmdline)"
echo "iommu_units $(ls /sys/class/iommu | tr '\n' ' ')"
echo "iommu_groups $(ls /sys/kernel/iommu_groups | wc -l)"
for g in /sys/kernel/iommu_groups/*; do
	[ -d "$g" ] || continue
	echo "group ${g##*/} $(cat "$g/type" 2>/dev/null) $(ls "$g/devices" | tr '\n' ' ')"
done
for d in /sys/bus/pci/devices/*; do
	drv=none grp=none
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	[ -e "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
	echo "pci ${d##*/} $(cut -c3- "$d/vendor"):$(cut -c3- "$d/device") $(cat "$d/class") driver=$drv group=$grp override=$(cat "$d/driver_override")"
done
lsmod | awk 'NR > 1 { print "module " $1 }'
# The interface that carries this SSH session, and the PCI device under it.
set -- $SSH_CONNECTION
ifc=$(ip -o -4 addr show | awk -v a="$3" '{ split($4, p, "/"); if (p[1] == a) print $2 }')
ports=$(ls "/sys/class/net/$ifc/brif" 2>/dev/null | tr '\n' ' ')
for p in ${ports:-$ifc}; do
	echo "ssh $3 $p master=$ifc pci=$(basename "$(readlink "/sys/class/net/$p/device")")"
done
echo "kernel $(uname -r)"
# The firmware framebuffer, and who holds it.
grep -iE 'efifb|BOOTFB|vesafb|simplefb|simple-framebuffer' /proc/iomem | sed 's/^ */iomem /'
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/boot_vga" 2>/dev/null)" = 1 ] || continue
	start=$(head -n1 "$d/resource" | cut -d' ' -f1 | sed 's/^0x0*//')
	grep -i "^ *0*$start-" /proc/iomem | sed 's/^ */iomem /'
done
sed 's/^/fb /' /proc/fb
dmesg | grep -E 'DMAR: IOMMU (enabled|disabled)|DMAR: Intel\(R\) Virt|DMAR-IR: Enabled|AMD-Vi: Interrupt remapping|Adding to iommu group|vfio|VFIO|Failed to insert|lab-init: (udev|init-top|coldplug)|efifb: (probing|framebuffer)|fb0: |simple-framebuffer|vgaarb: deactivate' |
	sed 's/^\[[ 0-9.]*\] //; s/^/log /'
NODE
