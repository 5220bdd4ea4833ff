#!/bin/bash
# What reading the inventory warns about (here a vars file Ansible does not
# read for its extension) is printed on stderr as a warning naming the file,
# once, and the run goes on.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/w/group_vars"
printf '[nodes]\nw1 ansible_host=127.0.0.1\n' >"$T/w/hosts.ini"
printf 'iommu_pt: true\n' >"$T/w/group_vars/nodes.yml"
printf 'iommu_pt: false\n' >"$T/w/group_vars/nodes.txt"
set +e
env -u SSH_AUTH_SOCK "$ORCH" inventory "$T/w/hosts.ini" --list >"$T/list.json" 2>"$T/out"
RC=$?
set -e
expect_rc 0
if ! jq -e '._meta.hostvars.w1 | has("iommu_pt")' "$T/list.json" >/dev/null 2>&1; then
	echo "skip: orch does not read group_vars/ here" >&2
	exit 77
fi
[[ $(grep -c "^orch: warning: \(.*/\)\?group_vars/nodes.txt: " "$T/out") == 1 ]] ||
	fail "no single warning naming group_vars/nodes.txt"
[[ $(jq -r '._meta.hostvars.w1.iommu_pt' "$T/list.json") == true ]] || fail "the warning stopped the inventory from being read"
echo "ok: the inventory's warnings printed"
