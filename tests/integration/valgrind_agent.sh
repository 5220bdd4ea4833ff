#!/bin/bash
# The agent under valgrind's memcheck on fixture roots of each boot loader
# (systemd-boot, plain GRUB, GRUB through proxmox-boot-tool on PVE 7): an
# apply, a second apply and a rollback, with no error and no leak reported.
# usage: valgrind_agent.sh AGENT FIXTURES_DIR
# ctest: NAME agent_under_valgrind
# ctest: ARGS $<TARGET_FILE:orch-agent-dynamic> ${fixtures}
set -euo pipefail
AGENT=$1
FIXTURES=$2
command -v valgrind >/dev/null || { echo "skip: no valgrind" >&2; exit 77; }
T=$(mktemp -d /tmp/orch-valgrind.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../lib/assert.sh"

for fx in "$FIXTURES"/zfs-uefi-sdboot/ "$FIXTURES"/lvm-bios-grub/ "$FIXTURES"/pve7-5.15/; do
	name=$(basename "$fx")
	cp -a "$fx" "$T/$name"
	sel=$(cd "$T/$name/sys/bus/pci/devices" && for d in *; do
		[[ $(cat "$d/class") == 0x03* ]] && { echo "${d:5:5}"; break; }; done)
	[[ -n $sel ]] || continue
	for kind in apply apply rollback; do
		if [[ $kind == apply ]]; then
			steps='[{"name":"facts"},{"name":"devices","args":{"select":["'$sel'"]}},{"name":"kernel_cmdline"},
				{"name":"vfio_modules"},{"name":"vfio_bind"},{"name":"host_drivers"},{"name":"unsafe_interrupts"},
				{"name":"ignore_msrs"},{"name":"refresh"}]'
		else
			steps='[{"name":"facts"},{"name":"rollback"},{"name":"refresh"}]'
		fi
		echo "{\"version\":1,\"diff\":true,\"root\":\"$T/$name\",\"steps\":$steps}" >"$T/plan"
		# a refusal (a device the host needs) is an answer too: only valgrind's verdict counts
		valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect "$AGENT" <"$T/plan" >"$T/out" 2>"$T/vg" || {
			rc=$?
			((rc != 99)) || fail "valgrind reports errors on $name ($kind):
$(cat "$T/vg")"
		}
		echo "ok: $name $kind ($sel): $(tail -n1 "$T/out" | jq -c '{ok,changed,failed}')"
	done
done
