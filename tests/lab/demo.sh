#!/bin/bash
# demo.sh [--keep]: orch against two emulated Proxmox VE nodes that boot
# Debian's real 6.1 kernel under QEMU, from a fresh Debian 12 machine (root):
# installs what is missing (tests/deps.sh), builds orch into build/, starts
# the lab, shows the nodes' facts, rolls passthrough out (the two-function GPU
# and the NIC that shares the management NIC's ID), reboots, shows the facts
# again and the recap, and stops the lab (--keep leaves it running).
# Needs no network but Debian's mirror; the nodes reach only 127.0.0.1.
# ORCH_BUILD_DIR builds elsewhere than build/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${ORCH_BUILD_DIR:-build}
keep=0
[[ ${1:-} == --keep ]] && keep=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "installing the build and lab dependencies (tests/deps.sh)"
bash tests/deps.sh

say "building orch into $build/"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" >"$build/demo-build.log" 2>&1 || {
	tail -n 30 "$build/demo-build.log"
	echo "demo: the build failed ($build/demo-build.log)" >&2
	exit 1
}
export ORCH_AGENT=$root/$build/agent/orch-agent
orch=$root/$build/controller/orch
[[ -x $orch ]] || orch=

. tests/lab/lib.sh
# The two fresh 6.1 nodes (ORCH_LAB_DEMO_NODES: others, e.g. "trixie handmade pinned").
read -r -a LAB_NODES <<<"${ORCH_LAB_DEMO_NODES:-sdboot grub}"
export ORCH_LAB_RUN=$LAB_RUN
inv=$LAB_RUN/inventory.ini kh=$LAB_RUN/known_hosts
((keep)) || trap 'tests/lab/lab.sh stop || true' EXIT

say "starting the lab: two nodes under QEMU/TCG (a minute or two)"
tests/lab/lab.sh start --fresh "${LAB_NODES[@]}"
tests/lab/lab.sh status
echo
cat "$inv"

# The real kernel's view of what passthrough depends on.
show_facts() {
	local node
	for node in "${LAB_NODES[@]}"; do
		echo "-- $node ($(lab_node_loader "$node"), $(lab_node_iommu "$node") IOMMU)"
		tests/lab/facts.sh "$node" | grep -E "^(cmdline|iommu_units|iommu_groups|pci $LAB_MGMT_PCI|pci $LAB_GPU_SLOT|pci $LAB_NIC2_PCI|log (DMAR: IOMMU|AMD-Vi: Int))" |
			sed 's/^/   /'
	done
}

say "facts before"
if [[ -n $orch ]]; then
	"$orch" facts "$inv" --known-hosts "$kh" || true
fi
show_facts

declare -A boot0
for node in "${LAB_NODES[@]}"; do boot0[$node]=$(lab_ssh "$node" cat /proc/sys/kernel/random/boot_id); done

say "orch apply $inv"
if [[ -n $orch ]]; then
	"$orch" apply "$inv" --known-hosts "$kh" || echo "demo: orch apply exited $?"
else
	echo "($build/controller/orch is not built yet: running orch's agent over ssh with the plan the inventory compiles to)"
	for node in "${LAB_NODES[@]}"; do
		tests/lab/agent-apply.sh "$node" >"$LAB_RUN/demo-$node.jsonl" || true
		jq -r --arg n "$node" 'if .type == "result" then "\($n) | \(.name): \(.status): \(.msg)"
			elif .type == "summary" then "\($n) | changed=\(.changed) failed=\(.failed) reboot pending: \(.reboot_pending)"
			else "\($n) | \(.msg)" end' "$LAB_RUN/demo-$node.jsonl" | grep -v '| facts:'
	done
fi

rebooting=()
for node in "${LAB_NODES[@]}"; do
	[[ $(lab_ssh "$node" cat /proc/sys/kernel/random/boot_id) == "${boot0[$node]}" ]] && rebooting+=("$node")
done
if ((${#rebooting[@]})); then
	say "rebooting ${rebooting[*]} (the nodes' own 'systemctl reboot'; orch's rolling reboot does this when it is built)"
	tests/lab/lab.sh reboot "${rebooting[@]}"
fi

say "facts after"
show_facts
if [[ -n $orch ]]; then
	"$orch" facts "$inv" --known-hosts "$kh" || true
fi

say "recap: verification on the fresh boot"
status=0
for node in "${LAB_NODES[@]}"; do
	tests/lab/verify.sh "$node" || status=1
done
if [[ -n $orch ]]; then
	say "a second orch apply changes nothing"
	"$orch" apply "$inv" --known-hosts "$kh" || status=1
fi

say "next: real nodes"
cat <<TXT
Write an inventory of your Proxmox VE nodes, for example inventory.ini:

    [pve]
    pve1 ansible_host=192.0.2.11
    pve2 ansible_host=192.0.2.12

    [pve:vars]
    ansible_user=root
    passthrough=01:00          # every function of the GPU in slot 01:00

then look before you leap, and roll out one node at a time:

    build/controller/orch facts inventory.ini
    build/controller/orch apply inventory.ini --check --diff
    build/controller/orch apply inventory.ini --serial 1

Host keys are checked against ~/.ssh/known_hosts (--accept-new records new
ones). The lab stays available: tests/lab/lab.sh start, then ssh into a node
with tests/lab/lab.sh ssh grub; docs/lab.md tells how it works.
TXT
exit "$status"
