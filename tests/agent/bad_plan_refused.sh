#!/bin/bash
# A plan the agent cannot take whole is refused: exit 2, exactly one line
# {"type":"error","msg":...} on stdout, and the root untouched (nothing read
# matters, nothing written, no command run).   Usage: ... KIND
# ctest: CASES malformed_json not_an_object empty_input version_2 version_missing unknown_field
# ctest: CASES unknown_step unknown_arg wrong_type wrong_enum bad_selector bad_selector_function
# ctest: CASES second_devices_step selection_without_devices steps_not_array relative_root too_large
. "$(dirname "$0")/lib.sh"
use_root zfs-uefi-sdboot
plan >"$T/good.json"
edit() { jq "$1" "$T/good.json" >"$T/bad.json"; }
case ${1:?usage: $0 KIND} in
malformed_json) head -c 200 "$T/good.json" >"$T/bad.json" ;;
not_an_object) echo '[1, 2]' >"$T/bad.json" ;;
empty_input) : >"$T/bad.json" ;;
version_2) edit '.version = 2' ;;
version_missing) edit 'del(.version)' ;;
unknown_field) edit '.become = true' ;;
unknown_step) edit '.steps[4].name = "vfio_bnd"' ;;
unknown_arg) edit '.steps[2].args.iommu = "pt"' ;;
wrong_type) edit '.steps[2].args.iommu_pt = "yes"' ;;
wrong_enum) edit '.steps[5].args.mode = "some"' ;;
bad_selector) edit '.steps[1].args.select = ["zz:00"]' ;;
bad_selector_function) edit '.steps[1].args.select = ["0000:01:00.8"]' ;;
second_devices_step) edit '.steps |= (.[0:2] + [.[1]] + .[2:])' ;;
selection_without_devices) edit 'del(.steps[1])' ;;
steps_not_array) edit '.steps = {}' ;;
relative_root) edit '.root = "tmp/root"' ;;
too_large) { printf '{"version":1,"root":"%s","steps":[{"name":"facts"}],"host":"' "$R"; head -c 1100000 /dev/zero | tr '\0' a; printf '"}'; } >"$T/bad.json" ;;
*) fail "unknown kind '$1'" ;;
esac
run_agent "$T/bad.json"
expect_rc 2
[[ $(wc -l <"$T/out") == 1 ]] || fail "not exactly one line on stdout"
jq -e '.type == "error" and (.msg | type == "string" and length > 0)' "$T/out" >/dev/null ||
	fail "the line is not an error with a message"
expect_no_commands
expect_same_tree "$P" "$R"
