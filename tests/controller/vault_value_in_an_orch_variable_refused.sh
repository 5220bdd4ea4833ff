#!/bin/bash
# A !vault value (YAML) or {"__ansible_vault": ...} (JSON) in a variable orch
# uses is refused before any node is contacted (exit 1), naming the vars
# file, host and variable; a vault value in a variable orch does not use is
# left alone. ansible-inventory shows the same values as vault.
source "$(dirname "$0")/lib.sh"
command -v ansible-inventory >/dev/null || { echo "skip: no ansible-inventory" >&2; exit 77; }
export HOME=$T/home ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_NOCOLOR=1
mkdir -p "$T/v/group_vars" "$T/v/host_vars"
cat >"$T/v/hosts.ini" <<'INI'
[nodes]
v1 ansible_host=127.0.0.1

[gpu]
v2 ansible_host=127.0.0.1
INI
cat >"$T/v/group_vars/nodes.yml" <<'YAML'
ansible_user: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
db_password: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  34353065383262363763613930366262336263646165376236396132346336393437386136393666
YAML
cat >"$T/v/host_vars/v2.json" <<'JSON'
{"passthrough": {"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n6638\n"}}
JSON
ansible-inventory -i "$T/v/hosts.ini" --list >"$T/ansible.json"
jq -e '._meta.hostvars | (.v1.ansible_user | has("__ansible_vault")) and (.v2.passthrough | has("__ansible_vault"))' \
	"$T/ansible.json" >/dev/null || fail "ansible-core does not read the test's values as vault"
orch inventory "$T/v/hosts.ini" --list
if ! jq -e '._meta.hostvars.v1 | has("ansible_user")' "$T/out" >/dev/null 2>&1; then
	echo "skip: orch does not read group_vars/ here" >&2
	exit 77
fi

orch apply "$T/v/hosts.ini" "${KH[@]}"
expect_rc 1
grep -qE "^orch: ([^ ]*/)?group_vars/nodes.yml: host 'v1': variable 'ansible_user' is encrypted with ansible-vault \(!vault\), which orch does not decrypt" "$T/out" ||
	fail "no refusal naming group_vars/nodes.yml, host 'v1' and ansible_user"
grep -qE "^orch: ([^ ]*/)?host_vars/v2.json: host 'v2': variable 'passthrough' is encrypted with ansible-vault" "$T/out" ||
	fail "no refusal naming host_vars/v2.json, host 'v2' and passthrough"
! grep -q "db_password" "$T/out" || fail "a vault value in a variable orch does not use is refused"
echo "ok: vault values in orch's variables refused by file, host and variable"
