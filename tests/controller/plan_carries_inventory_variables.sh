#!/bin/bash
# The plan a node gets carries its inventory variables: the steps in order,
# each variable in its step's arguments, the root, check and diff. An agent
# that keeps a copy of its stdin stands in front of the real one.
source "$(dirname "$0")/lib.sh"
fleet_with_work 2
cat >"$T/tee-agent" <<SH
#!/bin/sh
$STANDIN_PLAN
printf '%s' "\$plan" >"$T/plan.\$\$.json"
printf '%s' "\$plan" | exec "$ORCH_AGENT"
SH
chmod +x "$T/tee-agent"
sed -i "s|^node02 .*|& iommu_pt=yes bind_by=address host_drivers=nouveau,snd_hda_intel unsafe_interrupts=no ignore_msrs=true disable_vga=no|" "$T/inventory.ini"

ORCH_AGENT=$T/tee-agent orch apply "$T/inventory.ini" "${KH[@]}" --check --diff
for f in "$T"/plan.*.json; do
	h=$(jq -r .host "$f")
	cp "$f" "$T/plan-$h.json"
done
p=$T/plan-node02.json
[[ -f $p && -f $T/plan-node01.json ]] || fail "no plan captured for each node"
jq -e --arg root "${ROOT[node02]}" --arg pt "${PASSTHROUGH[node02]}" '
	.version == 1 and .check == true and .diff == true and .root == $root
	and ([.steps[].name] == ["facts", "devices", "kernel_cmdline", "vfio_modules", "vfio_bind",
	                         "host_drivers", "unsafe_interrupts", "ignore_msrs", "refresh"])
	and .steps[1].args == {"select": [$pt], "bind_by": "address"}
	and .steps[2].args.iommu_pt == true
	and .steps[4].args == {"disable_vga": "no"}
	and .steps[5].args == {"mode": "list", "drivers": ["nouveau", "snd_hda_intel"]}
	and .steps[6].args == {"mode": "no"}
	and .steps[7].args == {"enable": true}' "$p" >/dev/null || { cat "$p" >&2; fail "node02's plan does not carry its variables"; }
jq -e '.steps[1].args.bind_by == "auto" and .steps[2].args.iommu_pt == false and .steps[4].args == {"disable_vga": "auto"}
	and .steps[5].args == {"mode": "auto"} and .steps[6].args == {"mode": "auto"}
	and .steps[7].name == "ignore_msrs" and (.steps[7] | has("args") | not)' \
	"$T/plan-node01.json" >/dev/null || { cat "$T/plan-node01.json" >&2; fail "node01's plan does not have the defaults"; }

# Without passthrough, facts only.
PASSTHROUGH=()
write_inventory
rm -f "$T"/plan.*.json
ORCH_AGENT=$T/tee-agent orch apply "$T/inventory.ini" "${KH[@]}" -l node01
expect_rc 0
jq -e '[.steps[].name] == ["facts"] and .check == false' "$T"/plan.*.json >/dev/null || fail "a node without passthrough gets more than facts"
echo "ok: plans carry the variables"
