#!/bin/bash
# ansible_become: the agent and its install run through `sudo -n` (a sudo on
# the node's PATH that logs its arguments stands in for the real one), a warm
# node costs one sudo, and a sudo that wants a password fails the host with
# sudo's message.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/fakebin"
cat >"$T/fakebin/sudo" <<SH
#!/bin/sh
echo "\$*" >>"$T/sudo.log"
[ -e "$T/sudo-wants-password" ] && { echo "sudo: a password is required" >&2; exit 1; }
[ "\$1" = -n ] && shift
exec "\$@"
SH
chmod +x "$T/fakebin/sudo"
SSHD_SETENV="PATH=$T/fakebin:/usr/sbin:/usr/bin:/sbin:/bin"
fleet 2
write_inventory ansible_become=yes

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
agent=$(find "${ROOT[node01]}/var/lib/orch/bin" -name 'orch-agent-*')
[[ -n $agent && $(stat -c %a "$agent") == 700 ]] || fail "agent not installed 0700 through sudo"
# the first run finds no agent (sh's 127 under sudo), the second installs it
# from its stdin and runs it, all of it under sudo -n
grep -qx -- "-n sh -c exec $agent --plan [A-Za-z0-9+/=]*" "$T/sudo.log" || fail "the agent did not run through sudo -n"
grep -q "^-n sh -c B=${ROOT[node01]}/var/lib/orch/bin; .*head -c $(stat -c %s "$ORCH_AGENT") " "$T/sudo.log" ||
	fail "no install of the agent through sudo -n"
: >"$T/sudo.log"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
[[ $(grep -c . "$T/sudo.log") == 2 ]] || fail "a warm node took more than one sudo per host: $(cat "$T/sudo.log")"
! grep -q "head -c" "$T/sudo.log" || fail "the agent was installed again"

touch "$T/sudo-wants-password"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => .*sudo: a password is required" "$T/out" || fail "sudo's message is not shown"
echo "ok: become through sudo -n"
