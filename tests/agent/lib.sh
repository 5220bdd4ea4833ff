# Shared by the agent's tests: a private copy of a fixture node root, plans
# built from docs/protocol.md's example, a way to run orch-agent on them and
# to look at what it answered and what it did to the root.
#
# Environment: ORCH_AGENT (the orch-agent binary), FIXTURES (the build's
# fixture roots, build/tests/fixtures/roots). ORCH_TEST_KEEP=1 keeps the work
# dir $T.

set -euo pipefail

: "${ORCH_AGENT:?ORCH_AGENT must name the orch-agent binary}"
: "${FIXTURES:?FIXTURES must name the fixture roots (build/tests/fixtures/roots)}"
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

T=$(mktemp -d /tmp/orch-agent-test.XXXXXX)
cleanup() {
	if [[ ${ORCH_TEST_KEEP:-0} == 1 ]]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

. "$LIB_DIR/../lib/assert.sh"
RC_OF=agent
# What a failure shows besides its message (tests/lib/assert.sh): the agent's answer.
fail_context() {
	if [[ -s $T/out ]]; then
		echo "--- agent stdout:"
		tail -n 40 "$T/out"
	fi
	if [[ -s $T/err ]]; then
		echo "--- agent stderr:"
		tail -n 20 "$T/err"
	fi
}

# The selection each root's full plan passes through: the device the root
# was made for (see tests/fixtures/README.md).
declare -A SELECT=(
	[zfs-uefi-sdboot]=01:00
	[zfs-uefi-sdboot-rebooted]=01:00
	[lvm-uefi-grub]=0c:00
	[lvm-bios-grub]=02:00
	[zfs-secureboot-grub]=02:00
	[pve7-5.15]=03:00
	[foreign-group]=07:00
	[no-intremap]=03:00
	[pve9-trixie]=03:00
	[sdboot-pinned-6.5]=01:00
	[pve7-sdboot-admin-tokens]=01:00
	[grub-pinned-intel-off]=02:00
	[sdboot-iommu-off]=03:00
	[sdboot-grub-secureboot]=01:00
	[esps-disagree]=01:00
	[esp-list-stale]=01:00
	[esp-list-all-stale]=01:00
	[hand-configured]=0c:00
	[lvm-bios-nvme]=03:00
)

# use_root NAME: $R is a fresh copy of fixture NAME, $P an untouched one.
use_root() {
	FIX=$1
	[[ -d $FIXTURES/$FIX ]] || fail "no fixture root '$FIX' under $FIXTURES"
	rm -rf "$T/root" "$T/pristine"
	cp -a "$FIXTURES/$FIX" "$T/pristine"
	cp -a "$FIXTURES/$FIX" "$T/root"
	R=$T/root
	P=$T/pristine
}

# plan [OPTIONS]: the documented full plan for $R on stdout.
#   --check --diff           the plan's flags
#   --select "A B"           selectors (default: the root's SELECT entry)
#   --iommu-pt               kernel_cmdline iommu_pt=true
#   --bind-by X              devices bind_by (default auto)
#   --disable-vga X          vfio_bind disable_vga (default auto)
#   --steps "a b"            only these of the example's steps, in this order
plan() {
	local check=false diff=false sel=${SELECT[$FIX]:-} pt=false bind=auto dv=auto steps=""
	while (($#)); do
		case $1 in
		--check) check=true ;;
		--diff) diff=true ;;
		--select) sel=$2; shift ;;
		--iommu-pt) pt=true ;;
		--bind-by) bind=$2; shift ;;
		--disable-vga) dv=$2; shift ;;
		--steps) steps=$2; shift ;;
		*) fail "plan: unknown option '$1'" ;;
		esac
		shift
	done
	jq -n --arg root "$R" --argjson check "$check" --argjson diff "$diff" \
		--arg sel "$sel" --argjson pt "$pt" --arg bind "$bind" --arg dv "$dv" --arg steps "$steps" '
		[
		 {"name": "facts"},
		 {"name": "devices", "args": {"select": ($sel | split(" ") | map(select(. != ""))), "bind_by": $bind}},
		 {"name": "kernel_cmdline", "args": {"iommu_pt": $pt, "framebuffer": "auto"}},
		 {"name": "vfio_modules"},
		 {"name": "vfio_bind", "args": {"disable_vga": $dv}},
		 {"name": "host_drivers", "args": {"mode": "auto"}},
		 {"name": "unsafe_interrupts", "args": {"mode": "auto"}},
		 {"name": "ignore_msrs", "args": {"enable": false}},
		 {"name": "refresh"}
		] as $all
		| (if $steps == "" then $all
		   else [($steps | split(" ") | map(select(. != ""))[]) as $n | $all[] | select(.name == $n)]
		   end) as $s
		| {"version": 1, "host": "pve1", "check": $check, "diff": $diff, "root": $root, "steps": $s}'
}

# rollback_plan [STEP...]: facts, rollback, then STEPs (e.g. refresh).
rollback_plan() {
	jq -n --arg root "$R" --arg more "$*" '{"version": 1, "host": "pve1", "root": $root,
		"steps": ([{"name": "facts"}, {"name": "rollback"}]
			+ ($more | split(" ") | map(select(. != "") | {"name": .})))}'
}

# run_agent PLANFILE: runs orch-agent with PLANFILE on stdin; stdout in
# $T/out, stderr in $T/err, exit status in RC. Every stdout line must be a
# JSON object.
run_agent() {
	set +e
	"$ORCH_AGENT" <"$1" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	jq -e -c 'type == "object"' "$T/out" >/dev/null 2>&1 ||
		fail "stdout is not JSON lines of objects"
}

# apply [PLAN-OPTIONS]: plan + run_agent in one.
apply() {
	plan "$@" >"$T/plan.json"
	run_agent "$T/plan.json"
}

# result STEP: the step's result line (the first, when there are several).
result() {
	jq -c --arg n "$1" 'select(.type == "result" and .name == $n)' "$T/out" | head -n 1
}

status_of() {
	local r
	r=$(result "$1")
	[[ -n $r ]] || fail "no result for step '$1'"
	jq -r '.status' <<<"$r"
}

expect_status() {
	local s
	s=$(status_of "$1")
	[[ $s == "$2" ]] || fail "step '$1' is '$s', expected '$2' ($(result "$1" | jq -r .msg))"
}

msg_of() {
	result "$1" | jq -r '.msg'
}

summary() {
	jq -c 'select(.type == "summary")' "$T/out"
}

summary_field() {
	summary | jq -r ".$1"
}

# expect_ok_run: exit 0, no failed step, a summary last.
expect_ok_run() {
	expect_rc 0
	[[ $(tail -n 1 "$T/out" | jq -r .type) == summary ]] || fail "the last line is not the summary"
	[[ $(summary_field failed) == 0 ]] || fail "a step failed"
}

# ---------------------------------------------------------------- the root

# f PATH: the file under the root.
f() {
	printf '%s%s' "$R" "$1"
}

first_line() {
	head -n 1 "$(f "$1")"
}

# has_line PATH LINE: PATH (under the root) has LINE exactly.
has_line() {
	[[ -f $(f "$1") ]] && grep -qxF -- "$2" "$(f "$1")"
}

expect_line() {
	has_line "$1" "$2" || fail "'$1' lacks the line '$2'$(
		[[ -f $(f "$1") ]] && printf '; it has:\n%s' "$(cat "$(f "$1")")" || echo "; it does not exist")"
}

expect_no_line() {
	! has_line "$1" "$2" || fail "'$1' has the line '$2'"
}

# expect_no_match PATH REGEX: no line of PATH matches REGEX (or PATH is absent).
expect_no_match() {
	if [[ -f $(f "$1") ]] && grep -qE -- "$2" "$(f "$1")"; then
		fail "'$1' has a line matching /$2/: $(grep -E -- "$2" "$(f "$1")")"
	fi
	return 0
}

expect_absent() {
	[[ ! -e $(f "$1") ]] || fail "'$1' exists: $(cat "$(f "$1")")"
}

expect_unchanged() {
	cmp -s "$P$1" "$(f "$1")" || fail "'$1' changed: $(diff -u "$P$1" "$(f "$1")" || true)"
}

# tokens STRING: one token a line.
tokens() {
	tr -s ' ' '\n' <<<"$1" | sed '/^$/d'
}

# expect_tokens LINE TOKEN...: each TOKEN occurs exactly once in LINE.
expect_tokens() {
	local l=$1 t n
	shift
	for t in "$@"; do
		n=$(tokens "$l" | grep -cxF -- "$t" || true)
		[[ $n == 1 ]] || fail "'$t' occurs $n times in '$l'"
	done
}

# expect_no_token LINE REGEX: no token of LINE matches REGEX.
expect_no_token() {
	if tokens "$1" | grep -qE -- "^($2)$"; then
		fail "'$1' has a token matching /$2/"
	fi
	return 0
}

# vfio_ids: the ids= list of orch's vfio-pci options, one ID a line, sorted.
vfio_ids() {
	[[ -f $(f /etc/modprobe.d/orch-vfio-pci.conf) ]] || return 0
	sed -n 's/^options vfio-pci .*ids=\([^ ]*\).*/\1/p' "$(f /etc/modprobe.d/orch-vfio-pci.conf)" | tr ',' '\n' | sort
}

# expect_vfio_ids ID...: exactly these IDs (any order).
expect_vfio_ids() {
	local want got
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(vfio_ids)
	[[ $got == "$want" ]] || fail "vfio-pci ids are '$(echo $got)', expected '$(echo $want)'"
}

# vfio_option NAME: the value of a vfio-pci option in orch's file.
vfio_option() {
	[[ -f $(f /etc/modprobe.d/orch-vfio-pci.conf) ]] || return 0
	grep '^options vfio-pci ' "$(f /etc/modprobe.d/orch-vfio-pci.conf)" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# grub_linux_line CFG: the linux line of the first (newest) menu entry.
grub_linux_line() {
	grep -m1 -P '^\s*linux\s' "$(f "$1")" | sed 's/^[[:space:]]*linux[[:space:]]*//'
}

# The initramfs-tools init-top script that binds devices by address.
BIND_SCRIPT=/etc/initramfs-tools/scripts/init-top/orch-vfio-pci

# bound_by_address: the addresses orch's init-top script binds, one a line, sorted.
bound_by_address() {
	[[ -f $(f $BIND_SCRIPT) ]] || return 0
	sed -n 's/^bind_vfio \(.*\)$/\1/p' "$(f $BIND_SCRIPT)" | sort
}

# expect_bound_by_address ADDR...: the script exists, is executable, and
# binds exactly these addresses.
expect_bound_by_address() {
	local want got
	[[ -f $(f $BIND_SCRIPT) ]] || fail "no $BIND_SCRIPT"
	[[ $(stat -c %a "$(f $BIND_SCRIPT)") == 755 ]] ||
		fail "$BIND_SCRIPT has mode $(stat -c %a "$(f $BIND_SCRIPT)"); initramfs-tools skips scripts that are not executable"
	want=$(printf '%s\n' "$@" | sort)
	got=$(bound_by_address)
	[[ $got == "$want" ]] || fail "bound by address: '$(echo $got)', expected '$(echo $want)'"
}

# image_order KVER [DIR]: the script names of DIR (init-top) in the order the
# image of KVER (as the root's update-initramfs made it) runs them.
image_order() {
	local o=$R/var/lib/orch-fixture/initramfs/$1/scripts/${2:-init-top}/ORDER
	[[ -f $o ]] || fail "no image of $1 (update-initramfs did not run?)"
	sed -n 's|^/scripts/[^/]*/\([^ ]*\) "\$@"$|\1|p' "$o"
}

# ---------------------------------------------------------------- commands

commands_log() {
	cat "$R/var/log/orch-fixture/commands.log"
}

# changing_commands: the command log without the read-only queries the
# facts may make (zpool list, proxmox-boot-tool status, qm/pct list,
# pvecm status).
changing_commands() {
	grep -vE '^(zpool list|proxmox-boot-tool status|qm list|pct list|pvecm status)( |$)' "$R/var/log/orch-fixture/commands.log" || true
}

# ran CMDLINE: how many times the fixture's command log has exactly CMDLINE.
ran() {
	grep -cxF -- "$1" "$R/var/log/orch-fixture/commands.log" || true
}

expect_ran() {
	local n
	n=$(ran "$1")
	[[ $n == "$2" ]] || fail "'$1' ran $n times, expected $2; the log:
$(commands_log)"
}

# expect_no_commands: nothing but read-only queries ran.
expect_no_commands() {
	[[ -z $(changing_commands) ]] || fail "commands ran:
$(commands_log)"
}

# ---------------------------------------------------------------- trees

# tree_sum DIR [PRUNE...]: a listing of every path under DIR with type,
# mode, owner, link target and content checksum; PRUNE paths (relative,
# like var/lib/orch) are left out.
tree_sum() {
	local dir=$1 p
	shift
	local -a prune=()
	for p in "$@"; do
		prune+=(-path "./$p" -prune -o)
	done
	(
		cd "$dir"
		find . "${prune[@]}" -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort
		find . "${prune[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	)
}

# expect_same_tree A B [PRUNE...]: A and B agree in every path, mode, owner
# and byte, PRUNE aside.
expect_same_tree() {
	local a=$1 b=$2
	shift 2
	if ! diff <(tree_sum "$a" "$@") <(tree_sum "$b" "$@") >"$T/tree.diff"; then
		fail "trees differ:
$(head -n 40 "$T/tree.diff")"
	fi
}

# ---------------------------------------------------------------- kernels

# kernel_fact FIELD: a field of the facts step's kernel object.
kernel_fact() {
	result facts | jq -r ".facts.kernel.$1"
}

# sdboot_default ESP: the entry systemd-boot's loader.conf on ESP boots.
sdboot_default() {
	sed -n 's/^default[[:space:]]*//p' "$(f "/var/lib/orch-fixture/esp/$1/loader/loader.conf")"
}

# sdboot_options ESP KVER: the options line of KVER's boot entry on ESP.
sdboot_options() {
	sed -n 's/^options[[:space:]]*//p' "$(f "/var/lib/orch-fixture/esp/$1/loader/entries/proxmox-$2.conf")"
}

# grub_entry_line CFG KVER: the linux line of KVER's menu entry in CFG.
grub_entry_line() {
	grep -P "^\s*linux\s+\S*vmlinuz-\Q$2\E\s" "$(f "$1")" | head -n 1 | sed 's/^[[:space:]]*linux[[:space:]]*[^[:space:]]*[[:space:]]*//'
}

# publish_pins ROOT: what the admin runs after `proxmox-boot-tool kernel pin`
# (the tool asks for it): the root's own refresh, kept out of its command log.
publish_pins() {
	"$1/usr/sbin/proxmox-boot-tool" refresh >/dev/null
	: >"$1/var/log/orch-fixture/commands.log"
}

# expect_second_apply_and_rollback [PLAN-OPTIONS]: the same plan again
# changes nothing and runs no command; rollback (then refresh) gives back
# the pristine root ($P) byte for byte.
expect_second_apply_and_rollback() {
	changing_commands >"$T/log.1"
	apply "$@"
	expect_ok_run
	[[ $(summary_field changed) == 0 ]] ||
		fail "second apply changed: $(jq -r 'select(.status == "changed") | .name + ": " + .msg' "$T/out")"
	changing_commands >"$T/log.2"
	cmp -s "$T/log.1" "$T/log.2" || fail "second apply ran commands: $(diff "$T/log.1" "$T/log.2")"
	rollback_plan refresh >"$T/rollback.json"
	run_agent "$T/rollback.json"
	expect_ok_run
	expect_same_tree "$P" "$R" var/lib/orch var/log/orch-fixture/commands.log
}

# ---------------------------------------------------------------- modprobe

# modprobe_facts: the facts' view of modprobe's effective configuration
# (files, hidden, settings) for $R as it is now.
modprobe_facts() {
	jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/facts-plan.json"
	"$ORCH_AGENT" <"$T/facts-plan.json" | jq -c 'select(.type == "result" and .name == "facts") | .facts.modprobe'
}

# modprobe_setting MODULE.PARAM [value|from]: what the node's modprobe
# configuration gives the parameter (empty when nothing sets it).
modprobe_setting() {
	modprobe_facts | jq -r --arg k "$1" --arg f "${2:-value}" '.settings[$k][$f] // empty'
}

# real_modprobe_value MODULE PARAM: the value the real modprobe (kmod) gives
# PARAM from the root's modprobe.d directories, read with `modprobe -c -C
# DIR...` in kmod's order; the last value wins, as in the kernel.
real_modprobe_value() {
	local mp d
	mp=$(PATH=/usr/sbin:/sbin:$PATH command -v modprobe) || fail "modprobe (kmod) is not installed"
	local -a args=()
	for d in etc/modprobe.d run/modprobe.d usr/local/lib/modprobe.d usr/lib/modprobe.d lib/modprobe.d; do
		args+=(-C "$R/$d")
	done
	"$mp" -c "${args[@]}" 2>/dev/null | awk -v m="$1" -v p="$2" '
		$1 == "options" && $2 == m { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == p) v = substr($i, length(p) + 2) } }
		END { print v }'
}
