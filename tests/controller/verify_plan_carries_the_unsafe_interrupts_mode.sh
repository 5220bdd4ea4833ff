#!/bin/bash
# The verify plan of the fresh boot carries the host's unsafe_interrupts
# mode (the apply leaves the decision to it when the IOMMU was off) and a
# refresh after it, for the option file the verify may write.
source "$(dirname "$0")/reboot_lib.sh"
fleet_with_work 1 zfs-uefi-sdboot
cat >"$T/tee-agent" <<SH
#!/bin/sh
$STANDIN_PLAN
printf '%s' "\$plan" >"$T/plan.\$\$.json"
printf '%s' "\$plan" | exec "$ORCH_AGENT"
SH
chmod +x "$T/tee-agent"
sed -i "s|^node01 .*|& unsafe_interrupts=yes|" "$T/inventory.ini"
for h in "${HOSTS[@]}"; do node_boots "$h"; done
ORCH_AGENT=$T/tee-agent orch apply "$T/inventory.ini" "${KH[@]}"
v=$(jq -c 'select(any(.steps[]; .name == "verify"))' "$T"/plan.*.json)
[[ -n $v ]] || fail "no verify plan was sent"
jq -e '[.steps[].name] == ["facts", "verify", "refresh"] and .steps[1].args.unsafe_interrupts == "yes"
	and (.steps[1].args.select | length) > 0' <<<"$v" >/dev/null || fail "the verify plan is $v"
echo "ok: the verify plan carries the unsafe_interrupts mode"
