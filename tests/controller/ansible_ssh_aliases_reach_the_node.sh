#!/bin/bash
# Ansible's older names of the connection variables are honoured as Ansible
# honours them: ansible_ssh_host, ansible_ssh_port and ansible_ssh_user win
# over ansible_host, ansible_port and ansible_user, and
# ansible_private_key_file is read. Here ansible_host and ansible_port name
# an address where nothing listens: the node is reached, and applied, only
# through the ansible_ssh_ names. Connection variables orch does not use get
# a warning, a password's value never printed, and so do ansible.cfg's.
source "$(dirname "$0")/lib.sh"
fleet_with_work 1
h=${HOSTS[0]}
cat >"$T/inventory.ini" <<EOF2
[nodes]
$h ansible_host=127.0.0.2 ansible_port=1 ansible_ssh_host=$ADDR ansible_ssh_port=${PORT[$h]} orch_root=${ROOT[$h]} passthrough=${PASSTHROUGH[$h]}

[nodes:vars]
ansible_user=nobody
ansible_ssh_user=root
reboot=never
ansible_private_key_file=$T/id_ed25519
ansible_become_pass=s3cret-pass
ansible_become_method=su
EOF2
# Ansible's own remote_user is not orch's: said, and the inventory's user logs in.
printf '[defaults]\nremote_user = admin\n' >"$T/ansible.cfg"
ANSIBLE_CONFIG=$T/ansible.cfg orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 0
[[ $(recap "$h" changed) -gt 0 && $(recap "$h" failed) == 0 ]] || fail "$h was not applied"
grep -qx "orch: warning: $T/ansible.cfg:2: \[defaults\] remote_user = admin is not read by orch (use ansible_user in the inventory)" "$T/out" ||
	fail "no warning for ansible.cfg's remote_user"
grep -qx "orch: warning: $T/inventory.ini: variable 'ansible_become_method' ('su') is not used: orch becomes root with sudo -n" "$T/out" ||
	fail "no warning for ansible_become_method"
grep -qx "orch: warning: $T/inventory.ini: variable 'ansible_become_pass' is not used: orch's sudo is sudo -n, without a password" "$T/out" ||
	fail "no warning for ansible_become_pass"
! grep -q "s3cret-pass" "$T/out" || fail "the password was printed"
[[ $(grep -c "^orch: warning:" "$T/out") == 3 ]] || fail "other warnings: $(grep "^orch: warning:" "$T/out")"

# A bad value is named by the variable it came from.
sed -i "s/ansible_ssh_port=${PORT[$h]}/ansible_ssh_port=99999/" "$T/inventory.ini"
orch apply "$T/inventory.ini" "${KH[@]}"
expect_rc 1
grep -q "host '$h': variable 'ansible_ssh_port': '99999' is not a port number" "$T/out" ||
	fail "the bad port is not named by ansible_ssh_port: $(cat "$T/out")"
echo "ok: ansible_ssh_host, _port, _user and ansible_private_key_file reach the node"
