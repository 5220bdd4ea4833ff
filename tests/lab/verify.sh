#!/bin/bash
# verify.sh NODE: what a rollout must have achieved after the reboot, judged
# from the node's running kernel (facts.sh): the IOMMU active with groups, the
# GPU's functions and the second NIC on vfio-pci in isolated groups, the live
# command line carrying every option the boot configuration gives, vfio_virqfd
# as this kernel wants it, and the management NIC still on its driver and
# carrying SSH. Prints one line per check; exits 1 when any fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node=${1:?usage: verify.sh NODE}
lab_node_valid "$node" || lab_die "unknown node '$node'"

facts=$("$LAB_DIR/facts.sh" "$node")
fails=0
ok() { printf 'ok     %s: %s\n' "$node" "$1"; }
bad() {
	printf 'FAILED %s: %s\n' "$node" "$1"
	fails=$((fails + 1))
}
fact() { grep -E "$1" <<<"$facts" || true; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

units=$(fact '^iommu_units ' | cut -d' ' -f2-)
groups=$(fact '^iommu_groups ' | cut -d' ' -f2)
if [[ -n ${units// /} && $groups -gt 0 ]]; then
	ok "IOMMU active ($units; $groups groups)"
else
	bad "IOMMU not active (/sys/class/iommu: '${units// /}', $groups groups)"
fi

selected=("$LAB_GPU_SLOT.0" "$LAB_GPU_SLOT.1" "$LAB_NIC2_PCI")
for dev in "${selected[@]}"; do
	line=$(fact "^pci $dev ")
	drv=$(field driver <<<"$line")
	grp=$(field group <<<"$line")
	if [[ $drv == vfio-pci ]]; then ok "$dev on vfio-pci"; else bad "$dev on '$drv', not vfio-pci"; fi
	if [[ $grp == none ]]; then
		bad "$dev has no IOMMU group"
		continue
	fi
	members=$(fact "^group $grp " | cut -d' ' -f4-)
	for m in $members; do
		case " ${selected[*]} " in *" $m "*) ;; *) bad "$dev: group $grp also holds $m" ;; esac
	done
done

mgmt=$(fact "^pci $LAB_MGMT_PCI ")
if [[ $(field driver <<<"$mgmt") == e1000 ]]; then ok "management NIC $LAB_MGMT_PCI still on e1000"; else bad "management NIC: $mgmt"; fi
if fact '^ssh ' | grep -q "pci=$LAB_MGMT_PCI"; then ok "SSH carried by $(fact '^ssh ' | cut -d' ' -f3-)"; else bad "SSH not over the management NIC: $(fact '^ssh ')"; fi

# The command line the boot configuration gives now, against the live one.
configured=$(lab_ssh "$node" sh -s <<'NODE'
if [ -s /etc/kernel/proxmox-boot-uuids ]; then
	head -n1 /etc/kernel/cmdline
else
	(
		. /etc/default/grub
		for f in /etc/default/grub.d/*.cfg; do [ -f "$f" ] && . "$f"; done
		echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"
	)
fi
NODE
)
live=" $(fact '^cmdline ' | cut -d' ' -f2-) "
missing=()
for t in $configured; do [[ $live == *" $t "* ]] || missing+=("$t"); done
if ((${#missing[@]} == 0)); then ok "live command line carries the configured '$(echo $configured)'"; else bad "configured but not live: ${missing[*]}"; fi

# vfio_virqfd: a module of its own on 6.1, so listed and loaded; the log
# must show no module that failed to load.
# (grep -c exits 1 on a count of 0: the counts are what matters.)
virqfd=$(lab_ssh "$node" "grep -c '/vfio_virqfd\.ko' /lib/modules/\$(uname -r)/modules.dep; grep -cx vfio_virqfd /etc/modules; true" | tr '\n' ' ')
read -r has listed <<<"$virqfd"
if ((has > 0)); then
	if ((listed > 0)) && [[ -n $(fact '^module vfio_virqfd$') ]]; then
		ok "vfio_virqfd (a module of this kernel) listed and loaded"
	else
		bad "vfio_virqfd is a module of this kernel but is not listed in /etc/modules and loaded"
	fi
elif ((listed > 0)); then
	bad "vfio_virqfd listed, but this kernel has no such module"
else
	ok "vfio_virqfd not listed (built into vfio on this kernel)"
fi
if [[ -n $(fact '^log .*Failed to insert') ]]; then bad "$(fact '^log .*Failed to insert' | head -n1)"; else ok "no module failed to load at boot"; fi

((fails == 0))
