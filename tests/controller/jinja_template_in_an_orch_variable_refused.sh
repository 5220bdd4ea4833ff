#!/bin/bash
# A Jinja template ("{{", "{%", "{#", as Ansible's Templar detects one) in a
# variable orch uses is refused before any node is contacted (exit 1), with
# the file, host and variable; a template in a variable orch does not use is
# left alone. ansible-core itself says which values it would template.
source "$(dirname "$0")/lib.sh"
command -v ansible-inventory >/dev/null || { echo "skip: no ansible-inventory" >&2; exit 77; }
export HOME=$T/home ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_NOCOLOR=1
cat >"$T/tmpl.ini" <<'INI'
[nodes]
t1 ansible_host=127.0.0.1 passthrough="{{ gpu }}"
t2 ansible_host=127.0.0.1 bind_by='{% if twin %}address{% endif %}'
t3 ansible_host=127.0.0.1 reboot='{#later#}never'
t5 ansible_host=127.0.0.1 ansible_port=1 motd="{{ banner }}" passthrough=82:00

[login]
t4 ansible_host=127.0.0.1

[login:vars]
ansible_user="{{ admin }}"
INI
# What Ansible would template, by host and variable: its own is_possibly_template.
ansible-inventory -i "$T/tmpl.ini" --list >"$T/ansible.json"
/usr/bin/python3 - "$T/ansible.json" >"$T/expected" <<'PYEOF'
import json, sys
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
templar = Templar(loader=DataLoader())
orch_vars = ["ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file", "ansible_become",
             "orch_root", "passthrough", "iommu_pt", "ignore_msrs", "unsafe_interrupts", "disable_vga", "bind_by",
             "reboot", "host_drivers"]
for host, hv in sorted(json.load(open(sys.argv[1]))["_meta"]["hostvars"].items()):
    for var in orch_vars:
        if var in hv and templar.is_possibly_template(hv[var]):
            print(f"{host} {var} {hv[var]}")
PYEOF
[[ $(wc -l <"$T/expected") == 4 ]] || fail "ansible-core does not see the 4 templates the test means: $(cat "$T/expected")"

orch apply "$T/tmpl.ini" "${KH[@]}"
expect_rc 1
while read -r host var value; do
	grep -qF "orch: $T/tmpl.ini: host '$host': variable '$var': '$value' is a Jinja template, which orch does not evaluate" "$T/out" ||
		fail "no refusal naming $T/tmpl.ini, host '$host', variable '$var' and '$value'"
done <"$T/expected"
[[ $(grep -c 'is a Jinja template' "$T/out") == 4 ]] || fail "refusals other than the 4 templates"
! grep -q "t5\|motd" "$T/out" || fail "a template in a variable orch does not use is refused"
echo "ok: templates in orch's variables refused by file, host and variable"
