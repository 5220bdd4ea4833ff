#!/bin/bash
# passthrough and host_drivers also take a list: an INI Python literal
# ['a', 'b'], a YAML sequence; YAML booleans (yes/no) keep working. The plan
# the node gets carries them (an agent that keeps a copy of its stdin stands
# in front of the real one).
source "$(dirname "$0")/lib.sh"
fleet_with_work 2
cat >"$T/tee-agent" <<SH
#!/bin/sh
$STANDIN_PLAN
printf '%s' "\$plan" >"$T/plan.\$\$.json"
printf '%s' "\$plan" | exec "$ORCH_AGENT"
SH
chmod +x "$T/tee-agent"
PT1=${PASSTHROUGH[node01]} PT2=${PASSTHROUGH[node02]}
PASSTHROUGH=()
write_inventory
sed -i "s|^node01 .*|& passthrough=\"['$PT1']\" host_drivers=\"['nouveau', 'snd_hda_intel']\"|" "$T/inventory.ini"
mkdir -p "$T/host_vars"
cat >"$T/host_vars/node02.yml" <<YAML
passthrough:
  - "$PT2"
host_drivers:
  - nouveau
iommu_pt: yes
ignore_msrs: no
YAML

captured() {
	local f h
	for f in "$T"/plan.*.json; do
		h=$(jq -r .host "$f")
		mv "$f" "$T/plan-$h.json"
	done
}
ORCH_AGENT=$T/tee-agent orch apply "$T/inventory.ini" "${KH[@]}" --check -l node01
captured
[[ -f $T/plan-node01.json ]] || fail "no plan captured for node01"
jq -e --arg pt "$PT1" '.steps[1].args.select == [$pt]
	and .steps[5].args == {"mode": "list", "drivers": ["nouveau", "snd_hda_intel"]}' "$T/plan-node01.json" >/dev/null ||
	{ cat "$T/plan-node01.json" >&2; fail "node01's plan does not carry the INI lists"; }

orch inventory "$T/inventory.ini" --list
if jq -e '._meta.hostvars.node02 | has("host_drivers")' "$T/out" >/dev/null 2>&1; then
	ORCH_AGENT=$T/tee-agent orch apply "$T/inventory.ini" "${KH[@]}" --check -l node02
	captured
	jq -e --arg pt "$PT2" '.steps[1].args.select == [$pt] and .steps[2].args.iommu_pt == true
		and .steps[5].args == {"mode": "list", "drivers": ["nouveau"]} and .steps[7].args == {"enable": false}' \
		"$T/plan-node02.json" >/dev/null || { cat "$T/plan-node02.json" >&2; fail "node02's plan does not carry the YAML values"; }
else
	echo "note: orch does not read host_vars/ here: the YAML forms are not tried" >&2
fi
echo "ok: lists and YAML booleans reach the plan"
