#!/bin/bash
# agent-apply.sh [--check] [--no-refresh] [--verify] NODE
# Runs orch's agent on a lab node the way the controller does, over plain
# SSH: pushes orch-agent (ORCH_AGENT, default build/agent/orch-agent) to
# /var/lib/orch/bin/orch-agent-<sha256> unless it is there, then writes the
# plan that the lab's inventory compiles to on its stdin. Prints the agent's
# JSON lines; exits with the agent's status.
#   --check       check mode: change nothing
#   --no-refresh  the plan without its refresh step: a rollout that forgets
#                 to run update-grub / proxmox-boot-tool / update-initramfs
#   --verify      only the verify step (what the controller runs after a reboot)
# Used by the lab's tests and demo while the controller cannot run yet, and by
# the tests to run plans the controller would never send (--no-refresh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=false refresh=1 verify_only=0
while [[ ${1:-} == --* ]]; do
	case $1 in
	--check) check=true ;;
	--no-refresh) refresh=0 ;;
	--verify) verify_only=1 ;;
	*) lab_die "unknown option '$1'" ;;
	esac
	shift
done
node=${1:?usage: agent-apply.sh [--check] [--no-refresh] [--verify] NODE}
lab_node_valid "$node" || lab_die "unknown node '$node'"
agent=${ORCH_AGENT:-$LAB_DIR/../../build/agent/orch-agent}
[[ -x $agent ]] || lab_die "no agent at '$agent' (build orch, or set ORCH_AGENT)"

sum=$(sha256sum "$agent" | cut -d' ' -f1)
remote=/var/lib/orch/bin/orch-agent-$sum
lab_ssh "$node" "test -x $remote" 2>/dev/null ||
	lab_ssh "$node" "mkdir -p -m 0700 /var/lib/orch/bin && cat >$remote.tmp && chmod 0700 $remote.tmp && mv -f $remote.tmp $remote" <"$agent"

# The lab inventory's vars for this node, as the controller compiles them.
select="\"${LAB_GPU_SLOT#0000:}\", \"$LAB_NIC2_PCI\""
iommu_pt=false
[[ $node == sdboot ]] && iommu_pt=true
if ((verify_only)); then
	steps="{\"name\": \"verify\", \"args\": {\"select\": [$select]}}"
else
	steps=$(
		cat <<JSON
{"name": "facts"},
{"name": "devices", "args": {"select": [$select], "bind_by": "auto"}},
{"name": "kernel_cmdline", "args": {"iommu_pt": $iommu_pt, "framebuffer": "auto"}},
{"name": "vfio_modules"},
{"name": "vfio_bind", "args": {"disable_vga": "auto"}},
{"name": "host_drivers", "args": {"mode": "auto"}},
{"name": "unsafe_interrupts", "args": {"mode": "auto"}},
{"name": "ignore_msrs", "args": {"enable": false}}
JSON
	)
	((refresh)) && steps="$steps, {\"name\": \"refresh\"}"
fi
printf '{"version": 1, "host": "%s", "check": %s, "diff": false, "root": "/", "steps": [%s]}\n' \
	"$node" "$check" "$steps" | lab_ssh "$node" "$remote"
