#!/bin/bash
# Binding by address against early boot, on the real 6.1 kernel (node grub),
# everything done by hand so that only the lab's boot order is under test:
#   udev rule  the passthrough set up by the book (intel_iommu=on, the vfio
#              modules, a udev rule ACTION=="add" ... driver_override for
#              00:04.0, update-grub, update-initramfs): the initramfs's udev
#              coldplug loads e1000 for both NICs first, the rule only sets
#              the attribute of a bound device, and 00:04.0 stays on e1000
#   init-top   an initramfs-tools init-top script (the way orch binds by
#              address) sets driver_override before udev's coldplug:
#              00:04.0 ends on vfio-pci, 00:02.0 on e1000 carrying SSH
# Environment: ORCH_LAB_RUN.
# ctest: NAME early_boot
# ctest: TIMEOUT 600
set -uo pipefail
. "$(dirname "$0")/testlib.sh"
node=grub

facts_of() { "$LAB_DIR/facts.sh" "$node"; }

phase "start the lab (fresh disk)"
t_lab_start "$node" || {
	check "lab starts" false
	t_finish
	exit 1
}

phase "a udev rule alone"
lab_ssh "$node" sh -s <<'NODE'
echo 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on"' >/etc/default/grub.d/50-vtd.cfg
printf 'vfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd\n' >>/etc/modules
echo 'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:00:04.0", ATTR{driver_override}="vfio-pci"' \
	>/etc/udev/rules.d/80-vfio-by-address.rules
update-grub 2>/dev/null && update-initramfs -u -k all >/dev/null
NODE
check "lab.sh reboot $node" "$LAB_DIR/lab.sh" reboot "$node"
f=$(facts_of)
grep -E "^pci 0000:00:0[24]|^iommu_units|lab-init: (init-top|coldplug|udev)" <<<"$f" | sed 's/^/  /'
check "the IOMMU is on (dmar0)" has "$f" '^iommu_units dmar0'
check "the initramfs's coldplug bound both NICs to e1000" \
	has "$f" "coldplug \(initramfs\): .*$LAB_MGMT_PCI=e1000 .*$LAB_NIC2_PCI=e1000 "
check "the real root's udev set driver_override on the bound NIC, which stayed" \
	has "$f" "lab-init: udev: .*$LAB_NIC2_PCI driver_override=vfio-pci \(bound to e1000: stays\)"
check "00:04.0 stays on e1000 (driver_override=vfio-pci without effect)" \
	has "$f" "^pci $LAB_NIC2_PCI 8086:100e .* driver=e1000 .*override=vfio-pci$"

phase "an init-top script before udev's coldplug"
lab_ssh "$node" sh -s <<'NODE'
mkdir -p /etc/initramfs-tools/scripts/init-top
cat >/etc/initramfs-tools/scripts/init-top/orch-vfio-pci <<'SCRIPT'
#!/bin/sh
# driver_override for the devices bound by address, before udev coldplugs
PREREQ=""
prereqs() { echo "$PREREQ"; }
case $1 in prereqs) prereqs; exit 0 ;; esac
for dev in 0000:00:04.0; do
	[ -e "/sys/bus/pci/devices/$dev" ] && echo vfio-pci >"/sys/bus/pci/devices/$dev/driver_override"
done
SCRIPT
chmod 0755 /etc/initramfs-tools/scripts/init-top/orch-vfio-pci
update-initramfs -u -k all >/dev/null
NODE
order=$(lab_ssh "$node" cat /boot/initramfs-snapshot/scripts/init-top/ORDER | tr '\n' ' ')
echo "  init-top ORDER: $order"
check "update-initramfs orders it before udev (tsort, as initramfs-tools)" test "$order" = "orch-vfio-pci udev "
check "lab.sh reboot $node" "$LAB_DIR/lab.sh" reboot "$node"
f=$(facts_of)
grep -E "^pci 0000:00:0[24]|^ssh|lab-init: (init-top|coldplug|udev)" <<<"$f" | sed 's/^/  /'
check "init-top ran orch-vfio-pci, then udev" \
	bash -c 'grep -A1 "init-top: orch-vfio-pci" <<<"$1" | grep -q "init-top: udev"' _ "$f"
check "the initramfs's coldplug left 00:04.0 unbound" \
	bash -c 'l=$(grep "coldplug (initramfs)" <<<"$1"); [[ $l == *"$2=e1000"* && $l != *"$3="* ]]' _ "$f" "$LAB_MGMT_PCI" "$LAB_NIC2_PCI"
check "00:04.0 on vfio-pci (driver_override=vfio-pci)" \
	has "$f" "^pci $LAB_NIC2_PCI 8086:100e .* driver=vfio-pci .*override=vfio-pci$"
check "00:02.0, the twin with the same ID, on e1000" has "$f" "^pci $LAB_MGMT_PCI 8086:100e .* driver=e1000 .*override=\(null\)$"
check "SSH carried by 00:02.0" has "$f" "^ssh .* pci=$LAB_MGMT_PCI$"

phase "stop"
"$LAB_DIR/lab.sh" stop
t_finish
