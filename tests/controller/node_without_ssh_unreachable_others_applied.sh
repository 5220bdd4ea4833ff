#!/bin/bash
# A node that takes the TCP connection but never speaks SSH (mute, only a
# banner then silence, a stream of lines that are no banner, an endless
# banner) is unreachable within --timeout, with a message naming what it
# did, orch's memory stays bounded, and the other nodes are applied.
source "$(dirname "$0")/lib.sh"
fleet_with_work 3
source "$(dirname "$0")/bad_node_lib.sh"
measure_baseline

# A listener that takes connections and then does MODE.
cat >"$T/fake_node.py" <<'PY'
import os, socket, sys
mode, portfile = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    try:
        if mode == "banner":
            c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        elif mode == "lines":
            while True:
                c.sendall(b"220 mail.example.com ESMTP\r\n" * 4096)
        elif mode == "endless":
            while True:
                c.sendall(b"SSH-2.0-" + b"x" * 65536)
    except OSError:
        pass
PY
# fake_node HOST MODE: a listener on a free loopback port as HOST.
fake_node() {
	local pid
	python3 "$T/fake_node.py" "$2" "$T/port.$1" &
	pid=$!
	SSHD_PIDS+=("$pid")
	while [[ ! -s $T/port.$1 ]]; do
		kill -0 "$pid" 2>/dev/null || fail "the fake node $1 did not start"
		sleep 0.05
	done
	HOSTS+=("$1")
	PORT[$1]=$(cat "$T/port.$1")
	ROOT[$1]=$T/roots/$1
	BAD_HOSTS+="$1 "
}

# All at once: each is given up on its own.
fake_node mute mute
fake_node banner banner
fake_node lines lines
fake_node endless endless
write_inventory
healthy_roots
orch_measured apply "$T/inventory.ini" -T 3
expect_bad_node "a mute node" 4 "cannot connect to 'root@127.0.0.1:${PORT[mute]}': the server took the connection but sent no SSH banner within 3 s$" 8 mute
expect_bad_node "a banner, then silence" 4 "cannot connect to 'root@127.0.0.1:${PORT[banner]}': the server sent the banner 'SSH-2.0-OpenSSH_9.2p1 Debian-2' and then nothing within 3 s$" 8 banner
expect_bad_node "endless lines before a banner" 4 "cannot connect to 'root@127.0.0.1:${PORT[lines]}': the server took the connection but sent no SSH banner within 3 s$" 8 lines
expect_bad_node "an endless banner" 4 "cannot connect to 'root@127.0.0.1:${PORT[endless]}': .*banner" 8 endless
echo "ok: nodes that do not speak SSH are unreachable alone"
