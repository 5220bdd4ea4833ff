#!/bin/bash
# An agent that reaches the node damaged (here: its bytes altered on the
# way into the file) is never given the agent's name nor run: the node
# fails with the temporary file named, and nothing of the upload is left.
# The next run, with the bytes intact, installs it.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/damaging"
# head -c N as the node's shell finds it: the same count read, one byte
# changed in what is written.
cat >"$T/damaging/head" <<'SH'
#!/bin/sh
/usr/bin/head "$@" | sed '1s/^./#/'
SH
chmod 755 "$T/damaging/head"
SSHD_SETENV="PATH=$T/damaging:/usr/sbin:/usr/bin:/sbin:/bin"
fleet 1
h=${HOSTS[0]}

orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 2
grep -q "^fatal: \[$h\]: FAILED! => cannot install the agent at '.*': 'the upload did not arrive whole in ${ROOT[$h]}/var/lib/orch/bin/\.orch-agent-[0-9a-f]\{64\}\.[0-9a-f]\{16\}\.tmp'" "$T/out" ||
	fail "no message naming the damaged upload"
[[ -z $(find "${ROOT[$h]}/var/lib/orch/bin" -mindepth 1) ]] || fail "left on the node: $(find "${ROOT[$h]}/var/lib/orch/bin" -mindepth 1)"
[[ $(stat -c %a "${ROOT[$h]}/var/lib/orch/bin") == 700 ]] || fail "bin dir is not 0700"

rm "$T/damaging/head"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
cmp -s "$ORCH_AGENT" "${ROOT[$h]}/var/lib/orch/bin/orch-agent-$(sha256sum "$ORCH_AGENT" | cut -c1-64)" ||
	fail "the intact upload is not the agent"
echo "ok: a damaged upload never takes the agent's name"
