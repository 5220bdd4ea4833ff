#!/bin/bash
# ansible_become: the agent and its install run through `sudo -n` (a sudo on
# the node's PATH that logs its arguments stands in for the real one), and a
# sudo that wants a password fails the host with sudo's message.
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
grep -q "^-n test -f ${ROOT[node01]}/var/lib/orch/bin/orch-agent-" "$T/sudo.log" || fail "no sudo test for the agent"
grep -q "^-n install -m 0700 -o root -g root " "$T/sudo.log" || fail "no sudo install of the agent"
grep -q "^-n ${agent}\$" "$T/sudo.log" || fail "the agent did not run through sudo -n"
! ls -a ~root | grep -q '^\.orch-agent-' || fail "the staged upload was left in the login user's home"
: >"$T/sudo.log"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
! grep -q "install" "$T/sudo.log" || fail "the agent was installed again"

touch "$T/sudo-wants-password"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[node01\]: FAILED! => .*sudo: a password is required" "$T/out" || fail "sudo's message is not shown"
echo "ok: become through sudo -n"
