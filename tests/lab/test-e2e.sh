#!/bin/bash
# End to end on both lab nodes, against Debian's real 6.1 kernel:
#   before   the Intel node's IOMMU is off; every device on its usual driver
#   apply    orch apply on the lab's inventory (build/controller/orch), or,
#            while the controller cannot be built, its agent over plain SSH
#            with the plan the inventory compiles to (agent-apply.sh)
#   reboot   by orch when it reboots, else by the nodes' own systemctl
#   after    IOMMU on with groups, the GPU's two functions and the second NIC
#            on vfio-pci (the NIC by address), the management NIC untouched
#            and still carrying SSH, vfio_virqfd as 6.1 wants it; the agent's
#            own verify step agrees, and opens each device as QEMU does
#            (VFIO container, group, device fd, config space): usable
#   again    a second apply changes nothing, runs no refresh, and needs no reboot
#   held     the GPU's audio function moved to snd_hda_intel for a moment: the
#            verify fails naming it as what keeps the GPU's group from being
#            viable; moved back, each device is usable again
# Environment: ORCH_BIN (the controller), ORCH_AGENT (the agent), ORCH_LAB_RUN.
# ctest: NAME e2e
# ctest: TIMEOUT 900
set -uo pipefail
. "$(dirname "$0")/testlib.sh"
NODES=(sdboot grub)

orch_bin=${ORCH_BIN:-}
[[ -n $orch_bin && -x $orch_bin ]] || orch_bin=

facts_of() { "$LAB_DIR/facts.sh" "$1"; }
boot_id() { lab_ssh "$1" cat /proc/sys/kernel/random/boot_id; }
verify_fails() { ! "$LAB_DIR/verify.sh" "$1" >/dev/null; }
rebooted() {
	local id
	id=$(boot_id "$1") && [[ -n $id && $id != "$2" ]]
}
not_rebooted() { [[ $(boot_id "$1") == "$2" ]]; }
both() { grep -q "$2" <<<"$1" && grep -q "$3" <<<"$1"; }
# tools_since NODE N WORDS...: every WORD among the node's tool runs after the first N.
tools_since() {
	local t w
	t=$(tools_log "$1" | tail -n +$(($2 + 1)))
	shift 2
	for w in "$@"; do grep -q "$w" <<<"$t" || return 1; done
}
# refreshes NODE: how many refresh commands the node has run (the agent's
# facts also run 'proxmox-boot-tool status', which writes nothing: not one).
refreshes() { tools_log "$1" | grep -cE ' (proxmox-boot-tool (refresh|reinit|init)|update-grub|update-initramfs)'; }
no_refresh_since() { [[ $(refreshes "$1") == "$2" ]]; }

# apply LABEL: one rollout on both nodes; sets CHANGED[node] and PENDING[node]
# (reboot still needed, as the agent reports it; "?" when unknown).
declare -A CHANGED PENDING
apply() {
	local node out rc line
	if [[ -n $orch_bin ]]; then
		out=$LAB_RUN/orch-$1.out
		rc=0
		"$orch_bin" apply "$LAB_RUN/inventory.ini" --known-hosts "$LAB_RUN/known_hosts" >"$out" 2>&1 || rc=$?
		cat "$out"
		check "orch apply ($1) exits 0" test "$rc" = 0
		# "REBOOT PENDING: a, b" follows the recap when orch leaves reboots
		# to the admin.
		pending=$(sed -n 's/^REBOOT PENDING: //p' "$out")
		for node in "${NODES[@]}"; do
			line=$(sed -n "/PLAY RECAP/,\$p" "$out" | grep -E "^$node +:" | tail -n1)
			CHANGED[$node]=$(sed -n 's/.*changed=\([0-9]*\).*/\1/p' <<<"$line")
			if [[ ", $pending, " == *", $node, "* ]]; then PENDING[$node]=true; else PENDING[$node]=false; fi
		done
	else
		for node in "${NODES[@]}"; do
			out=$LAB_RUN/agent-$1-$node.jsonl
			rc=0
			"$LAB_DIR/agent-apply.sh" "$node" >"$out" 2>&1 || rc=$?
			jq -r 'select(.type == "result") | "\(.name): \(.status): \(.msg)"' "$out" 2>/dev/null |
				sed "s/^/  $node: /"
			check "$node: agent apply ($1) exits 0" test "$rc" = 0
			line=$(grep '"type":"summary"' "$out")
			CHANGED[$node]=$(jq -r .changed <<<"$line")
			PENDING[$node]=$(jq -r .reboot_pending <<<"$line")
		done
	fi
}

phase "start the lab (fresh disks)"
t_lab_start "${NODES[@]}" || {
	check "lab starts" false
	t_finish
	exit 1
}

phase "before: the real kernel's facts"
declare -A BEFORE
for node in "${NODES[@]}"; do
	BEFORE[$node]=$(facts_of "$node")
	echo "${BEFORE[$node]}" >"$LAB_RUN/facts-before-$node.txt"
	grep -E '^(cmdline|iommu_units|iommu_groups|pci 0000:00:0[2-4]|log (DMAR|AMD-Vi))' <<<"${BEFORE[$node]}" | sed "s/^/  $node: /"
done
f=${BEFORE[grub]}
check "grub (Intel): IOMMU off before: no /sys/class/iommu entry, no group" has "$f" '^iommu_units $'
check "grub (Intel): no IOMMU group before" has "$f" '^iommu_groups 0$'
check "grub (Intel): the kernel log says 'DMAR: IOMMU disabled'" has "$f" '^log DMAR: IOMMU disabled'
f=${BEFORE[sdboot]}
check "sdboot (AMD): AMD-Vi on by default (ivhd0) with interrupt remapping" \
	both "$f" '^iommu_units ivhd0' '^log AMD-Vi: Interrupt remapping enabled'
for node in "${NODES[@]}"; do
	f=${BEFORE[$node]}
	check "$node: GPU 00:03.0 on bochs-drm before" has "$f" "^pci $LAB_GPU_SLOT.0 1234:1111 .* driver=bochs-drm "
	check "$node: GPU audio 00:03.1 on snd_hda_intel before" has "$f" "^pci $LAB_GPU_SLOT.1 8086:293e .* driver=snd_hda_intel "
	check "$node: second NIC on e1000 before" has "$f" "^pci $LAB_NIC2_PCI 8086:100e .* driver=e1000 "
	check "$node: management NIC on e1000 before" has "$f" "^pci $LAB_MGMT_PCI 8086:100e .* driver=e1000 "
	check "$node: verify fails before the rollout" verify_fails "$node"
done

phase "apply (${orch_bin:-agent over ssh})"
declare -A BOOT0 TOOLS0
for node in "${NODES[@]}"; do
	BOOT0[$node]=$(boot_id "$node")
	TOOLS0[$node]=$(tools_log "$node" | wc -l)
done
apply first
for node in "${NODES[@]}"; do
	check "$node: the first apply changed something (changed=${CHANGED[$node]})" test "${CHANGED[$node]:-0}" -gt 0
done
check "sdboot: proxmox-boot-tool refresh and update-initramfs ran" \
	tools_since sdboot "${TOOLS0[sdboot]}" "proxmox-boot-tool refresh" "update-initramfs -u"
check "grub: update-grub and update-initramfs ran" \
	tools_since grub "${TOOLS0[grub]}" "update-grub" "update-initramfs -u"

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
for node in "${NODES[@]}"; do
	check "$node: booted again (new boot_id)" rebooted "$node" "${BOOT0[$node]}"
done

phase "after: the real kernel's facts"
declare -A AFTER
for node in "${NODES[@]}"; do
	AFTER[$node]=$(facts_of "$node")
	echo "${AFTER[$node]}" >"$LAB_RUN/facts-after-$node.txt"
	grep -E '^(cmdline|iommu_units|iommu_groups|group|pci 0000:00:0[2-4]|module vfio|log (DMAR: IOMMU|AMD-Vi: Int|lab-init))' <<<"${AFTER[$node]}" |
		sed "s/^/  $node: /"
	"$LAB_DIR/verify.sh" "$node" | sed 's/^/  /'
	check "$node: verify.sh passes (IOMMU, vfio-pci, groups, cmdline, vfio_virqfd, management NIC)" \
		"$LAB_DIR/verify.sh" "$node"
	f=${AFTER[$node]}
	check "$node: /sys/class/iommu populated" has "$f" '^iommu_units [a-z]'
	check "$node: the second NIC bound by address (driver_override=vfio-pci)" \
		has "$f" "^pci $LAB_NIC2_PCI 8086:100e .* driver=vfio-pci .*override=vfio-pci$"
	check "$node: the GPU bound by ID (no driver_override)" \
		has "$f" "^pci $LAB_GPU_SLOT.0 1234:1111 .* driver=vfio-pci .*override=\(null\)$"
	check "$node: vfio_virqfd loaded (a module of its own on 6.1)" has "$f" '^module vfio_virqfd$'
	if [[ -x ${ORCH_AGENT:-} || -x $LAB_DIR/../../build/agent/orch-agent ]]; then
		check "$node: the agent's verify step passes, each selected device usable through VFIO (opened as QEMU does)" \
			t_vfio_usable "$node"
	fi
done
# Debian's 6.1 turns VT-d on by default (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y):
# orch takes the node's intel_iommu=off out and adds no intel_iommu=on, so
# the log has the VT-d banner but no 'DMAR: IOMMU enabled' (intel_iommu=on only).
check "grub (Intel): intel_iommu=off gone from the live command line, no intel_iommu=on added (on by default on 6.1)" \
	bash -c '! grep -qE "^cmdline .*intel_iommu=(off|on)" <<<"$1"' _ "${AFTER[grub]}"
check "grub (Intel): VT-d on by the kernel's default ('DMAR: Intel(R) Virtualization Technology', no 'DMAR: IOMMU disabled')" \
	bash -c 'grep -q "^log DMAR: Intel(R) Virtualization Technology for Directed I/O" <<<"$1" && ! grep -q "^log DMAR: IOMMU disabled" <<<"$1"' _ "${AFTER[grub]}"

check "sdboot: iommu=pt in effect (group type identity)" has "${AFTER[sdboot]}" "^group [0-9]+ identity $LAB_GPU_SLOT.0"

phase "apply again"
declare -A TOOLS1 BOOT1
for node in "${NODES[@]}"; do
	TOOLS1[$node]=$(refreshes "$node")
	BOOT1[$node]=$(boot_id "$node")
done
apply second
for node in "${NODES[@]}"; do
	check "$node: the second apply reports 0 changed" test "${CHANGED[$node]}" = 0
	check "$node: the second apply ran no refresh" no_refresh_since "$node" "${TOOLS1[$node]}"
	check "$node: the second apply did not reboot" not_rebooted "$node" "${BOOT1[$node]}"
	[[ ${PENDING[$node]} == "?" ]] ||
		check "$node: the second apply reports no reboot pending" test "${PENDING[$node]}" = false
done

phase "a group VFIO cannot use: the GPU's audio on its host driver for a moment"
for node in "${NODES[@]}"; do
	check "$node: GPU audio $LAB_GPU_SLOT.1 moved to snd_hda_intel" t_gpu_audio_to "$node" vfio-pci snd_hda_intel
	check "$node: the agent's verify fails: VFIO_GROUP_GET_STATUS, the group not viable, $LAB_GPU_SLOT.1 on snd_hda_intel named" \
		t_group_hold_named "$node"
	check "$node: GPU audio back on vfio-pci" t_gpu_audio_to "$node" snd_hda_intel vfio-pci
	check "$node: each selected device usable through VFIO again" t_vfio_usable "$node"
done

phase "stop"
"$LAB_DIR/lab.sh" stop
t_finish
