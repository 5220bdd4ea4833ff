#!/bin/bash
# The node's Ceph OSDs (/var/lib/ceph/osd/ceph-N/whoami) and whether its
# cluster has Ceph (/etc/pve/ceph.conf) are facts; a node without says so.
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
run_agent "$T/plan.json"
expect_ok_run
result facts | jq -e '.facts.ceph == {"cluster": false, "osds": []}' >/dev/null ||
	fail "ceph facts without Ceph: $(result facts | jq -c .facts.ceph)"

mkdir -p "$R/etc/pve" "$R/var/lib/ceph/osd/ceph-12" "$R/var/lib/ceph/osd/ceph-3" "$R/var/lib/ceph/osd/ceph-7"
echo "[global]" >"$R/etc/pve/ceph.conf"
echo 12 >"$R/var/lib/ceph/osd/ceph-12/whoami"
echo 3 >"$R/var/lib/ceph/osd/ceph-3/whoami"
# an OSD directory left from a removed OSD has no whoami
run_agent "$T/plan.json"
expect_ok_run
result facts | jq -e '.facts.ceph == {"cluster": true, "osds": ["3", "12"]}' >/dev/null ||
	fail "ceph facts: $(result facts | jq -c .facts.ceph)"
echo "ok: ceph facts"
