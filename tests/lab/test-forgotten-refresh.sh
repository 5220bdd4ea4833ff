#!/bin/bash
# A rollout that forgets a refresh fails verification in the lab, as it
# would on a real node, and the refresh run late makes the next boot right:
#   grub    orch's agent with a plan that has no refresh step: the files are
#           edited, but neither update-grub nor update-initramfs publishes them
#   sdboot  the procedure by hand, with update-initramfs forgotten:
#           proxmox-boot-tool refresh publishes iommu=pt, early boot still
#           has the old modprobe.d and udev rules
# After the reboot both fail verify (the lab's and the agent's). Then the grub
# node gets a full apply (the agent remembers the refresh it owes) and the
# sdboot node its update-initramfs; after one more reboot both verify.
# ctest: NAME forgotten_refresh
# ctest: TIMEOUT 900
set -uo pipefail
. "$(dirname "$0")/testlib.sh"
NODES=(sdboot grub)

boot_id() { lab_ssh "$1" cat /proc/sys/kernel/random/boot_id; }
verify_fails() { ! "$LAB_DIR/verify.sh" "$1" >/dev/null; }
agent_verify_fails() {
	local out
	out=$("$LAB_DIR/agent-apply.sh" --verify "$1") && return 1
	echo "$out" | jq -r 'select(.name == "verify") | "  agent verify: \(.status): \(.msg)"'
	grep -q '"name":"verify","status":"failed"' <<<"$out"
}
agent_verify_passes() { "$LAB_DIR/agent-apply.sh" --verify "$1" >/dev/null; }

phase "start the lab (fresh disks)"
t_lab_start "${NODES[@]}" || {
	check "lab starts" false
	t_finish
	exit 1
}

phase "rollouts that forget a refresh"
out=$("$LAB_DIR/agent-apply.sh" --no-refresh grub)
echo "$out" | jq -r 'select(.type == "result" and .name != "facts") | "  grub: \(.name): \(.status): \(.msg)"'
check "grub: the agent changed the node's files" grep -q '"type":"summary".*"changed":[1-9]' <<<"$out"
check "grub: and ran no refresh" bash -c '! grep -qE "update-grub|update-initramfs" <<<"$1"' _ "$(tools_log grub | tail -n +3)"
"$LAB_DIR/manual-rollout.sh" --skip update-initramfs sdboot | sed 's/^/  sdboot: /'
check "sdboot: proxmox-boot-tool refresh ran, update-initramfs did not" \
	bash -c 't=$(tail -n +4 <<<"$1"); grep -q "proxmox-boot-tool refresh" <<<"$t" && ! grep -q update-initramfs <<<"$t"' _ "$(tools_log sdboot)"

phase "reboot"
check "lab.sh reboot ${NODES[*]}" "$LAB_DIR/lab.sh" reboot "${NODES[@]}"

phase "verification fails"
for node in "${NODES[@]}"; do
	"$LAB_DIR/verify.sh" "$node" | sed 's/^/  /'
	check "$node: verify.sh fails" verify_fails "$node"
	check "$node: the agent's verify step fails" agent_verify_fails "$node"
done
f=$("$LAB_DIR/facts.sh" grub)
check "grub: IOMMU still off (intel_iommu=on never published)" grep -q '^iommu_groups 0$' <<<"$f"
check "grub: the GPU still on bochs-drm (old initramfs)" grep -q "^pci $LAB_GPU_SLOT.0 .* driver=bochs-drm " <<<"$f"
f=$("$LAB_DIR/facts.sh" sdboot)
check "sdboot: iommu=pt live (proxmox-boot-tool refresh ran)" grep -q '^cmdline .* iommu=pt' <<<"$f"
check "sdboot: the GPU still on bochs-drm (old initramfs)" grep -q "^pci $LAB_GPU_SLOT.0 .* driver=bochs-drm " <<<"$f"
check "sdboot: the second NIC still on e1000 (old udev rules)" grep -q "^pci $LAB_NIC2_PCI .* driver=e1000 " <<<"$f"

phase "the refresh, late"
n=$(tools_log grub | wc -l)
out=$("$LAB_DIR/agent-apply.sh" grub)
echo "$out" | jq -r 'select(.name == "refresh") | "  grub: refresh: \(.status): \(.msg)"'
check "grub: a full apply runs the refreshes the last one owed" \
	bash -c 't=$(tail -n +$(($2 + 1)) <<<"$1"); grep -q update-grub <<<"$t" && grep -q update-initramfs <<<"$t"' _ "$(tools_log grub)" "$n"
lab_ssh sdboot update-initramfs -u -k all | sed 's/^/  sdboot: /'
check "lab.sh reboot ${NODES[*]}" "$LAB_DIR/lab.sh" reboot "${NODES[@]}"
for node in "${NODES[@]}"; do
	check "$node: verify.sh passes after the refresh and a reboot" "$LAB_DIR/verify.sh" "$node"
	check "$node: the agent's verify step passes" agent_verify_passes "$node"
done

phase "stop"
"$LAB_DIR/lab.sh" stop
t_finish
