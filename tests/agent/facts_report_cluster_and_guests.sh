#!/bin/bash
# Cluster membership (/etc/pve/corosync.conf, `pvecm status`) and running
# guests (those `qm list` and `pct list` call running) are facts; a node
# outside a cluster says so.
. "$(dirname "$0")/lib.sh"
facts_of() {
	use_root "$1"
	jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
	run_agent "$T/plan.json"
	expect_ok_run
}
facts_of zfs-secureboot-grub
result facts | jq -e '.facts.cluster == {"member": true, "name": "rack1", "quorate": true}' >/dev/null ||
	fail "cluster facts: $(result facts | jq -c .facts.cluster)"
result facts | jq -e '(.facts.running_guests | sort) == ["pct 200", "qm 100"]' >/dev/null ||
	fail "running guests: $(result facts | jq -c .facts.running_guests)"

facts_of zfs-uefi-sdboot
result facts | jq -e '.facts.cluster.member == false' >/dev/null || fail "cluster facts: $(result facts | jq -c .facts.cluster)"
result facts | jq -e '.facts.running_guests == []' >/dev/null ||
	fail "a stopped VM counted as running: $(result facts | jq -c .facts.running_guests)"
