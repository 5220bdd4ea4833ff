#!/bin/bash
# The maintenance step puts the node into (and out of) HA maintenance with
# ha-manager, naming the node by its hostname.
. "$(dirname "$0")/lib.sh"
use_root zfs-secureboot-grub
for on in true false; do
	jq -n --argjson on $on '{"version":1,"root":$r,"steps":[{"name":"facts"},{"name":"maintenance","args":{"enable":$on}}]}' \
		--arg r "$R" >"$T/plan.json"
	run_agent "$T/plan.json"
	expect_ok_run
done
expect_ran "ha-manager crm-command node-maintenance enable pve-sb3" 1
expect_ran "ha-manager crm-command node-maintenance disable pve-sb3" 1
