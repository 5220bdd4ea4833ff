# Shared by the guests step's tests: a hand-written cluster mapping and a
# plan with the guests step alone (the facts are gathered in every run).
# Roots: zfs-uefi-sdboot (node pve-sd1: VM 100, stopped, q35, OVMF) and
# zfs-secureboot-grub (node pve-sb3: VM 100 running, q35, OVMF; VM 101
# stopped, i440fx, SeaBIOS).
. "$(dirname "$0")/lib.sh"

# mapping_cfg NODE...: /etc/pve/mapping/pci.cfg with mapping 'gpu', one map
# entry per NODE, in Proxmox's section format (pve-guest-common
# src/PVE/Mapping/PCI.pm), in the copy and the pristine root alike.
mapping_cfg() {
	local n d
	for d in "$R" "$P"; do
		mkdir -p "$d/etc/pve/mapping"
		{
			printf 'gpu\n'
			for n in "$@"; do
				printf '\tmap node=%s,path=0000:01:00,id=10de:2204,subsystem-id=1458:403b,iommugroup=12\n' "$n"
			done
			printf '\nnic\n\tmap node=pve-other,path=0000:05:00.0,id=8086:1533,iommugroup=20\n'
		} >"$d/etc/pve/mapping/pci.cfg"
	done
}

# guests_run [--check] [--diff] ARGS-JSON: runs the guests step with ARGS.
guests_run() {
	local check=false diff=false
	while [[ $1 == --* ]]; do
		case $1 in
		--check) check=true ;;
		--diff) diff=true ;;
		esac
		shift
	done
	jq -n --arg r "$R" --argjson c $check --argjson d $diff --argjson a "$1" \
		'{"version":1,"root":$r,"check":$c,"diff":$d,"steps":[{"name":"guests","args":$a}]}' >"$T/plan.json"
	run_agent "$T/plan.json"
}

# expect_refused TEXT: the step failed with TEXT in its message, no VM
# configuration changed and qm set never ran.
expect_refused() {
	expect_rc 1
	expect_status guests failed
	assert_contains "the guests message" "$(msg_of guests)" "$1"
	expect_same_tree "$P/etc/pve" "$R/etc/pve"
	expect_ran_none "qm set"
}

# expect_ran_none PREFIX: no logged command starts with PREFIX.
expect_ran_none() {
	! grep -q "^$1" "$R/var/log/orch-fixture/commands.log" || fail "'$1' ran:
$(commands_log)"
}
