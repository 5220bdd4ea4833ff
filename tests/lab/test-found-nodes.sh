#!/bin/bash
# Nodes as they are found, on Debian 13's 6.12 and 6.1, booted in parallel:
#   trixie    6.12 alone (VT-d on by default, vfio_virqfd part of vfio),
#             UEFI with systemd-boot: the boot VGA starts on efifb
#   handmade  6.12, set up by hand with the common how-to for a GPU it no
#             longer has: vfio.conf's ids=10de:1b80,10de:10f0 disable_vga=1,
#             blacklists, unsafe interrupts, kvm ignore_msrs, intel_iommu=on,
#             vfio_virqfd in /etc/modules (a failing modprobe on 6.12)
#   pinned    6.1 and 6.12 installed, 6.1 pinned with proxmox-boot-tool: the
#             lab's boot loader boots 6.1, so a rollout decided for the newest
#             kernel shows
# Each is rolled out (orch apply, or its agent when the controller is not
# built), rebooted, and must be verified on its fresh boot, with the
# kernel its configuration selects, and 'modprobe -c' must show the vfio-pci
# options orch decided (its /etc/modprobe.d/orch-vfio-pci.conf), not the
# how-to's; the agent's verify proves each selected device usable through
# VFIO. A second apply changes nothing. On trixie (6.12) the GPU's audio,
# moved to snd_hda_intel for a moment, is named as what keeps the GPU's
# group from being viable.
# Environment: ORCH_BIN, ORCH_AGENT, ORCH_LAB_RUN.
# ctest: NAME found_nodes
# ctest: TIMEOUT 900
set -uo pipefail
. "$(dirname "$0")/testlib.sh"
NODES=(trixie handmade pinned)

boot_id() { lab_ssh "$1" cat /proc/sys/kernel/random/boot_id; }
# runs KVER FACTS: the facts say the running kernel is KVER.
runs() { grep -qxF "kernel $1" <<<"$2"; }
verify_fails() { ! "$LAB_DIR/verify.sh" "$1" >/dev/null; }
kver_of() { cat "$(lab_image_dir "$1")/kver"; }

# vfio_pci_param NODE PARAM: the value modprobe applies (the last one of the
# merged configuration 'modprobe -c' prints).
vfio_pci_param() {
	lab_ssh "$1" modprobe -c | awk -v p="$2" '$1 == "options" && ($2 == "vfio_pci" || $2 == "vfio-pci") {
		for (i = 3; i <= NF; i++) if (index($i, p "=") == 1) v = substr($i, length(p) + 2) } END { print v }'
}
# orch_param NODE PARAM: the value in orch's own vfio-pci options.
orch_param() {
	lab_ssh "$1" cat /etc/modprobe.d/orch-vfio-pci.conf 2>/dev/null | awk -v p="$2" '$1 == "options" {
		for (i = 3; i <= NF; i++) if (index($i, p "=") == 1) v = substr($i, length(p) + 2) } END { print v }'
}
# same_param NODE PARAM: modprobe applies orch's value (absent and 0 alike
# for disable_vga).
same_param() {
	local want got
	want=$(orch_param "$1" "$2")
	got=$(vfio_pci_param "$1" "$2")
	[[ $2 == disable_vga ]] && { want=${want:-0}; got=${got:-0}; }
	echo "  $1: vfio-pci $2: orch decided '$want', modprobe -c applies '$got'"
	[[ -n $want && $want == "$got" ]]
}

phase "start the lab (fresh disks, three nodes at once)"
t0=$SECONDS
t_lab_start "${NODES[@]}" || {
	check "lab starts" false
	t_finish
	exit 1
}
echo "  three nodes up after $((SECONDS - t0)) s"
for id in bookworm trixie; do echo "  kernel $id: $(cat "$(lab_image_dir "$id")/kernel-package")"; done
K61=$(kver_of bookworm)
K612=$(kver_of trixie)

phase "before"
declare -A BEFORE
for node in "${NODES[@]}"; do
	BEFORE[$node]=$("$LAB_DIR/facts.sh" "$node")
	echo "${BEFORE[$node]}" >"$LAB_RUN/facts-before-$node.txt"
	grep -E '^(kernel|cmdline|iommu_units|iommu_groups|iomem|pci 0000:00:0[2-4])|Failed to insert|DMAR: (IOMMU|Intel)' <<<"${BEFORE[$node]}" | sed "s/^/  $node: /"
done
f=${BEFORE[trixie]}
check "trixie: boots 6.12" runs "$K612" "$f"
check "trixie: VT-d on by default on 6.12 (dmar0, groups) without intel_iommu=on" \
	bash -c 'grep -q "^iommu_units dmar0" <<<"$1" && ! grep -q "^iommu_groups 0$" <<<"$1" && ! grep -q intel_iommu <<<"$(grep ^cmdline <<<"$1")"' _ "$f"
check "trixie: the boot VGA's BAR held efifb at boot (OVMF)" has "$f" '^log efifb: framebuffer at'
f=${BEFORE[handmade]}
check "handmade: boots 6.12" runs "$K612" "$f"
check "handmade: the how-to's vfio_virqfd fails to load on 6.12" has "$f" "Failed to insert module 'vfio_virqfd'"
check "handmade: modprobe -c applies the how-to's ids=10de:1b80,10de:10f0" \
	test "$(vfio_pci_param handmade ids)" = 10de:1b80,10de:10f0
f=${BEFORE[pinned]}
check "pinned: 6.12 installed, the newest" lab_ssh pinned test -f "/boot/vmlinuz-$K612"
check "pinned: boots the pinned 6.1 ($K61)" runs "$K61" "$f"
check "pinned: the pin is proxmox-boot-tool's (proxmox-boot-pin, GRUB_DEFAULT in proxmox-kernel-pin.cfg)" \
	lab_ssh pinned "grep -qx '$K61' /etc/kernel/proxmox-boot-pin && grep -q 'gnulinux-$K61-advanced-' /etc/default/grub.d/proxmox-kernel-pin.cfg"
for node in "${NODES[@]}"; do
	check "$node: verify fails before the rollout" verify_fails "$node"
done

phase "apply (${ORCH_BIN:-agent over ssh})"
declare -A BOOT0
for node in "${NODES[@]}"; do BOOT0[$node]=$(boot_id "$node"); done
t_apply first "${NODES[@]}"
for node in "${NODES[@]}"; do
	check "$node: the first apply changed something (changed=${CHANGED[$node]})" test "${CHANGED[$node]:-0}" -gt 0
done

phase "reboot"
need=()
for node in "${NODES[@]}"; do
	id=$(boot_id "$node" 2>/dev/null || true)
	[[ -n $id && $id == "${BOOT0[$node]}" ]] && need+=("$node")
done
if ((${#need[@]})); then
	echo "  not rebooted by the rollout: ${need[*]}"
	check "lab.sh reboot ${need[*]}" "$LAB_DIR/lab.sh" reboot "${need[@]}"
fi

phase "after: verified on the fresh boot"
declare -A AFTER
for node in "${NODES[@]}"; do
	AFTER[$node]=$("$LAB_DIR/facts.sh" "$node")
	echo "${AFTER[$node]}" >"$LAB_RUN/facts-after-$node.txt"
	grep -E '^(kernel|cmdline|iomem|pci 0000:00:0[2-4])|Failed to insert|vgaarb: deactivate|lab-init: udev' <<<"${AFTER[$node]}" | sed "s/^/  $node: /"
	"$LAB_DIR/verify.sh" "$node" | sed 's/^/  /'
	check "$node: verify.sh passes on the fresh boot" "$LAB_DIR/verify.sh" "$node"
	if [[ -x ${ORCH_AGENT:-} || -x $LAB_DIR/../../build/agent/orch-agent ]]; then
		check "$node: the agent's verify step passes, each selected device usable through VFIO (opened as QEMU does)" \
			t_vfio_usable "$node"
	fi
	check "$node: modprobe -c applies orch's vfio-pci ids" same_param "$node" ids
	check "$node: modprobe -c applies orch's vfio-pci disable_vga" same_param "$node" disable_vga
done
check "trixie: still 6.12" runs "$K612" "${AFTER[trixie]}"
check "trixie: no intel_iommu=on added (6.12 turns VT-d on by default: CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y)" \
	hasnt "${AFTER[trixie]}" '^cmdline .*intel_iommu=on'
check "trixie: vfio-pci took the boot VGA from efifb (vgaarb: deactivate vga console) and no framebuffer is left" \
	bash -c 'grep -q "^pci $2.0 .* driver=vfio-pci " <<<"$1" && grep -q "^log vfio-pci $2.0: vgaarb: deactivate vga console" <<<"$1" &&
		! grep -q "^fb " <<<"$1" && ! grep -q "^iomem .*efifb" <<<"$1"' _ "${AFTER[trixie]}" "$LAB_GPU_SLOT"
howto_ids_gone() { [[ $(vfio_pci_param handmade ids) != *10de:1b80* ]]; }
check "handmade: the how-to's ids are not applied" howto_ids_gone
check "handmade: no module failed to load" hasnt "${AFTER[handmade]}" 'Failed to insert'
check "pinned: still boots the pinned 6.1" runs "$K61" "${AFTER[pinned]}"
check "pinned: vfio_virqfd (a module of 6.1) loaded" has "${AFTER[pinned]}" '^module vfio_virqfd$'
check "pinned: /etc/modules lists vfio_virqfd (a module of 6.1, the kernel that boots)" \
	lab_ssh pinned grep -qx vfio_virqfd /etc/modules
check "trixie: /etc/modules does not list vfio_virqfd (inside vfio on 6.12)" \
	lab_ssh trixie '! grep -qx vfio_virqfd /etc/modules'

phase "apply again"
declare -A BOOT1
for node in "${NODES[@]}"; do BOOT1[$node]=$(boot_id "$node"); done
t_apply second "${NODES[@]}"
for node in "${NODES[@]}"; do
	check "$node: the second apply reports 0 changed" test "${CHANGED[$node]}" = 0
	check "$node: the second apply did not reboot" test "$(boot_id "$node")" = "${BOOT1[$node]}"
done

phase "a group VFIO cannot use: the GPU's audio on its host driver for a moment"
for node in trixie; do
	check "$node: GPU audio $LAB_GPU_SLOT.1 moved to snd_hda_intel" t_gpu_audio_to "$node" vfio-pci snd_hda_intel
	check "$node: the agent's verify fails: VFIO_GROUP_GET_STATUS, the group not viable, $LAB_GPU_SLOT.1 on snd_hda_intel named" \
		t_group_hold_named "$node"
	check "$node: GPU audio back on vfio-pci" t_gpu_audio_to "$node" snd_hda_intel vfio-pci
	check "$node: each selected device usable through VFIO again" t_vfio_usable "$node"
done

phase "stop"
"$LAB_DIR/lab.sh" stop
t_finish
