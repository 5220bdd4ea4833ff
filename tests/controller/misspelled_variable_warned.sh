#!/bin/bash
# A variable one edit away from one of orch's (a character inserted, left
# out, replaced, two swapped, '-' for '_') gets a warning naming the file,
# the variable and the likely name, once per file and variable; other
# unknown variables, Ansible's own included, are left alone.
source "$(dirname "$0")/lib.sh"
cat >"$T/typo.ini" <<'INI'
[nodes]
w1 ansible_host=127.0.0.1 passtrough=82:00 iommu-pt=yes motd=hello
w2 ansible_host=127.0.0.1 passtrough=83:00 ansible_become_user=root ansible_prot=2222

[nodes:vars]
reboots=never
bnid_by=id
ansible-ssh-private-key-file=/root/.ssh/id
ansible_become_method=sudo
INI
cat >"$T/expected" <<EOF2
orch: warning: $T/typo.ini: variable 'passtrough' is not one orch reads; did you mean 'passthrough'?
orch: warning: $T/typo.ini: variable 'iommu-pt' is not one orch reads; did you mean 'iommu_pt'?
orch: warning: $T/typo.ini: variable 'ansible_prot' is not one orch reads; did you mean 'ansible_port'?
orch: warning: $T/typo.ini: variable 'reboots' is not one orch reads; did you mean 'reboot'?
orch: warning: $T/typo.ini: variable 'bnid_by' is not one orch reads; did you mean 'bind_by'?
orch: warning: $T/typo.ini: variable 'ansible-ssh-private-key-file' is not one orch reads; did you mean 'ansible_ssh_private_key_file'?
EOF2
set +e
env -u SSH_AUTH_SOCK "$ORCH" inventory "$T/typo.ini" --list >"$T/list.json" 2>"$T/out"
RC=$?
set -e
expect_rc 0
diff -u <(sort "$T/expected") <(sort "$T/out") >&2 || fail "the warnings are not the 6 expected, once each"
echo "ok: misspelled variables warned once per file, others left alone"
