#!/bin/bash
# ~/.ssh/config is read for every host as ssh(1) reads it: a Host block
# gives HostName, Port, User, IdentityFile and UserKnownHostsFile, and the
# inventory's ansible_port and ansible_user override it. libssh finds ~/.ssh
# through the password database, not $HOME: the test runs orch in a private
# mount namespace with a tmpfs over that home, so the machine's own ~/.ssh
# is neither read nor touched.
source "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null || { echo "skip: needs unshare (util-linux)" >&2; exit 77; }
fleet_with_work 2
home=$(getent passwd "$(id -u)" | cut -d: -f6)
[[ -d $home ]] || { echo "skip: the user's home '$home' does not exist" >&2; exit 77; }
mkdir -p "$T/dotssh"
cat >"$T/dotssh/config" <<CONF
Host alpha
	HostName 127.0.0.1
	Port ${PORT[node01]}
	User root
	IdentityFile $T/id_ed25519
	UserKnownHostsFile $T/known_hosts
Host beta
	HostName 127.0.0.1
	Port 1
	User nobody
	IdentityFile $T/id_ed25519
	UserKnownHostsFile $T/known_hosts
CONF
cat >"$T/config.ini" <<INV
[nodes]
alpha orch_root=${ROOT[node01]} passthrough=${PASSTHROUGH[node01]} reboot=never
beta ansible_port=${PORT[node02]} ansible_user=root orch_root=${ROOT[node02]} passthrough=${PASSTHROUGH[node02]} reboot=never
INV

# orch_with_ssh_dir DIR ARGS...: orch with DIR's files as ~/.ssh.
orch_with_ssh_dir() {
	local dir=$1
	shift
	set +e
	unshare -m sh -c 'mount -t tmpfs -o mode=0700 orch-test "$1" && mkdir -m 0700 "$1/.ssh" &&
		for f in "$2"/*; do [ -e "$f" ] && cp "$f" "$1/.ssh/"; done; shift 2; exec "$@"' _ "$home" "$dir" \
		env -u SSH_AUTH_SOCK NO_COLOR=1 "$ORCH" "$@" >"$T/out" 2>&1
	RC=$?
	set -e
}

# No --known-hosts, no -i, no address or port for alpha: all from the config.
orch_with_ssh_dir "$T/dotssh" apply "$T/config.ini"
expect_rc 0
for h in alpha beta; do
	[[ $(recap "$h" unreachable) == 0 && $(recap "$h" failed) == 0 && $(recap "$h" changed) -gt 0 ]] ||
		{ cat "$T/out" >&2; fail "$h was not applied through the config"; }
done
grep -q "Accepted publickey for root" "$T/hosts/node02/sshd.log" ||
	fail "beta did not log in as the inventory's ansible_user"

# Without the config the same inventory names hosts nobody knows.
mkdir -p "$T/empty"
orch_with_ssh_dir "$T/empty" apply "$T/config.ini"
expect_rc 4
grep -q "^fatal: \[alpha\]: UNREACHABLE! => cannot connect to 'root@alpha:22'" "$T/out" ||
	{ cat "$T/out" >&2; fail "alpha reached without the config"; }
echo "ok: ~/.ssh/config honoured, inventory values win"
