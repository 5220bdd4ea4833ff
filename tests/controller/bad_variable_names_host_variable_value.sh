#!/bin/bash
# A bad passthrough variable is an error naming host, variable and value;
# no host is touched (exit 1).
source "$(dirname "$0")/lib.sh"
fleet 2
check_bad() {
	local var=$1 value=$2
	write_inventory
	sed -i "s|^node02 .*|& $var=$value|" "$T/inventory.ini"
	orch apply "$T/inventory.ini" "${KH[@]}"
	expect_rc 1
	grep -qF "host 'node02': variable '$var': '$value'" "$T/out" || fail "no error naming node02, $var and '$value'"
}
check_bad passthrough 0000:82:00.9
check_bad passthrough 10de:1b8
check_bad iommu_pt maybe
check_bad unsafe_interrupts sometimes
check_bad bind_by slot
check_bad host_drivers 'nouveau,-x'
check_bad reboot always
check_bad orch_root relative/path
check_bad ansible_port 70000
check_bad ansible_user -oProxyCommand=x
for h in "${HOSTS[@]}"; do
	[[ $(agent_stamp "$h") == none ]] || fail "$h: contacted despite the bad inventory"
	[[ $(tree_sum "${ROOT[$h]}") == "$(pristine_sum "$h")" ]] || fail "$h: changed despite the bad inventory"
done
echo "ok: bad variables rejected"
