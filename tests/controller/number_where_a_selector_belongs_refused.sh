#!/bin/bash
# passthrough given as a number (YAML 1.1 reads an unquoted 82:00 as 4920,
# INI's Python literal 4920 is one) is refused with a hint to quote it,
# before any node is contacted (exit 1). ansible-core says the values are
# numbers.
source "$(dirname "$0")/lib.sh"
command -v ansible-inventory >/dev/null || { echo "skip: no ansible-inventory" >&2; exit 77; }
export HOME=$T/home ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_NOCOLOR=1
hint="has a number where a selector belongs: YAML 1.1 reads an unquoted 82:00 as 4920 (base 60); quote the selector"
mkdir -p "$T/n/host_vars"
cat >"$T/n/hosts.ini" <<'INI'
[nodes]
n1 ansible_host=127.0.0.1 passthrough=4920
n2 ansible_host=127.0.0.1
n3 ansible_host=127.0.0.1
INI
printf 'passthrough: 82:00\n' >"$T/n/host_vars/n2.yml"
printf 'passthrough:\n  - "0000:03:00.0"\n  - 82:00\n' >"$T/n/host_vars/n3.yml"
ansible-inventory -i "$T/n/hosts.ini" --list >"$T/ansible.json"
jq -e '._meta.hostvars | .n1.passthrough == 4920 and .n2.passthrough == 4920 and .n3.passthrough == ["0000:03:00.0", 4920]' \
	"$T/ansible.json" >/dev/null || fail "ansible-core does not read the test's values as numbers: $(jq -c ._meta.hostvars "$T/ansible.json")"

orch apply "$T/n/hosts.ini" "${KH[@]}"
expect_rc 1
grep -qF "orch: $T/n/hosts.ini: host 'n1': variable 'passthrough': '4920' $hint" "$T/out" ||
	fail "no refusal with the hint for the INI number"
orch inventory "$T/n/hosts.ini" --list
if jq -e '._meta.hostvars.n2 | has("passthrough")' "$T/out" >/dev/null 2>&1; then
	orch apply "$T/n/hosts.ini" "${KH[@]}"
	expect_rc 1
	grep -E "^orch: ([^ ]*/)?host_vars/n2.yml: host 'n2': variable 'passthrough': " "$T/out" | grep -qF "' $hint" ||
		fail "no refusal with the hint for the YAML number"
	grep -E "^orch: ([^ ]*/)?host_vars/n3.yml: host 'n3': variable 'passthrough': " "$T/out" | grep -qF "' $hint" ||
		fail "no refusal with the hint for the number in a YAML list"
else
	echo "note: orch does not read host_vars/ here: the YAML forms are not tried" >&2
fi
echo "ok: numbers where a selector belongs refused with the hint"
