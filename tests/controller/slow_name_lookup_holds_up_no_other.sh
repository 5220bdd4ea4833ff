#!/bin/bash
# A node whose name takes seconds to look up (a DNS server that never
# answers) holds up no other node: libssh looks names up with a blocking
# getaddrinfo(3), so orch does it beside its loop. The resolver is set for
# orch alone, in a private mount namespace.
source "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null || { echo "skip: needs unshare (util-linux)" >&2; exit 77; }
fleet 3
slow=slow.orch-test.invalid

# A DNS server on 127.0.0.2 that reads every query and answers none.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 53))
open(sys.argv[1], "w").close()
while True:
    s.recv(4096)
' "$T/dns.ready" &
dns=$!
trap 'kill "$dns" 2>/dev/null; fleet_cleanup' EXIT
for _ in $(seq 100); do [[ -e $T/dns.ready ]] && break; sleep 0.05; done
[[ -e $T/dns.ready ]] || fail "the silent DNS server did not start"
printf 'nameserver 127.0.0.2\noptions timeout:3 attempts:1\n' >"$T/resolv.conf"

# The slow name first, so that it is the first host started.
{
	echo "[nodes]"
	echo "$slow ansible_port=${PORT[node01]} orch_root=${ROOT[node01]}"
	for h in node02 node03; do
		echo "$h ansible_host=127.0.0.1 ansible_port=${PORT[$h]} orch_root=${ROOT[$h]}"
	done
	echo "[nodes:vars]"
	echo "ansible_user=root"
	echo "reboot=never"
	echo "ansible_ssh_private_key_file=$T/id_ed25519"
} >"$T/slow.ini"

start=$SECONDS
set +e
unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' _ "$T/resolv.conf" \
	env -u SSH_AUTH_SOCK NO_COLOR=1 "$ORCH" apply "$T/slow.ini" "${KH[@]}" >"$T/out" 2>&1
RC=$?
set -e
expect_rc 4
grep -q "^fatal: \[$slow\]: UNREACHABLE! => cannot connect to 'root@$slow:${PORT[node01]}'" "$T/out" ||
	{ cat "$T/out" >&2; fail "no unreachable message for the name nobody answers for"; }
((SECONDS - start >= 3)) || fail "the lookup did not wait for the silent server (the test proves nothing)"
for h in node02 node03; do
	[[ $(recap "$h" failed) == 0 && $(recap "$h" unreachable) == 0 && $(recap "$h" ok) -gt 0 ]] ||
		fail "$h was not applied"
done
# Both other nodes were done before the lookup gave up.
last_other=$(grep -n '^ok: \[node0[23]\]' "$T/out" | tail -n1 | cut -d: -f1)
fatal=$(grep -n "^fatal: \[$slow\]" "$T/out" | cut -d: -f1)
((last_other < fatal)) || { cat "$T/out" >&2; fail "the other nodes waited for the name lookup"; }
echo "ok: a slow name lookup holds up no other node"
