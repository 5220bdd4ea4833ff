#!/bin/bash
# Usage: deb_installs_works_and_purges_cleanly.sh BUILD_DIR
# Builds orch's .deb from BUILD_DIR with cpack (into a scratch directory),
# installs it with dpkg -i, checks `orch --version`, `man -w orch` and the
# bash completion (commands, options, option values, files, and the hosts and
# groups of the inventory on the line), then purges it and checks that
# nothing of it is left. The package is purged on every way out.
set -uo pipefail
build=$(cd "$1" && pwd) || exit 1

((EUID == 0)) || { echo "not root: skipped (dpkg -i needs root)"; exit 77; }
for tool in dpkg dpkg-deb dpkg-query cpack man; do
	command -v "$tool" >/dev/null || { echo "$tool not installed: skipped"; exit 77; }
done
# An orch the admin installed (a package, or a file in /usr/bin) stays untouched.
if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' orch 2>/dev/null) != "" &&
	$(dpkg-query -W -f='${db:Status-Abbrev}' orch 2>/dev/null) != [up]n* ]]; then
	echo "a package named orch is installed: skipped, it is left alone"
	exit 77
fi
files=(/usr/bin/orch /usr/share/man/man1/orch.1.gz /usr/share/bash-completion/completions/orch /usr/share/doc/orch)
for f in "${files[@]}"; do
	[[ ! -e $f ]] || { echo "$f exists and belongs to no orch package: skipped, it is left alone"; exit 77; }
done

work=$(mktemp -d)
installed=0
cleanup() {
	if ((installed)); then
		dpkg -P orch >/dev/null 2>&1 || echo "cleanup: dpkg -P orch failed" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "$(dirname "$0")/../lib/assert.sh"

# -- build
if ! cmake --build "$build" --target orch orch_package_files >"$work/build.log" 2>&1 ||
	! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
	echo "FAIL building the package:"; cat "$work/build.log" "$work/cpack.log"
	exit 1
fi
debs=("$work"/out/orch_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || { echo "FAIL cpack made no single orch_*.deb:"; ls -l "$work/out"; exit 1; }
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
check_passed "built $(basename "$deb")"

# -- install. Images that keep no manuals or docs (dpkg path-exclude) would
# drop ours: the test includes its own files back.
installed=1
if ! dpkg --path-include='/usr/share/man/man1/orch.1.gz' --path-include='/usr/share/doc/orch/*' \
	-i "$deb" >"$work/dpkg.log" 2>&1; then
	echo "FAIL dpkg -i:"; cat "$work/dpkg.log"
	exit 1
fi
check_passed "dpkg -i"

# -- the binary and the manual
out=$(/usr/bin/orch --version 2>&1)
[[ $out == "orch $version" ]] && check_passed "orch --version: $out" || check_failed "orch --version: '$out', not 'orch $version'"
out=$(man -w orch 2>&1)
[[ $out == /usr/share/man/man1/orch.1.gz ]] && check_passed "man -w orch: $out" || check_failed "man -w orch: '$out'"
if MANWIDTH=80 man -P cat orch 2>/dev/null | grep -q '^EXIT STATUS'; then
	check_passed "man orch shows the manual"
else
	check_failed "man orch does not render its EXIT STATUS section"
fi

# -- the completion, as bash calls it: COMP_WORDS and COMP_CWORD set, then
# the function `complete -p orch` names; COMPREPLY sorted, one a line.
mkdir -p "$work/inv"
cat >"$work/inv/hosts.ini" <<'INI'
lone
[pve8]
pve8-a
pve8-b
[gpu:children]
pve8
[web]
web1
INI
cat >"$work/inv/more.ini" <<'INI'
[extra]
extra1
INI
comp() {
	env -i PATH=/usr/bin:/bin HOME="$work" bash --norc --noprofile -c '
		source /usr/share/bash-completion/completions/orch || exit 1
		fn=$(complete -p orch) || exit 1
		[[ $fn =~ -F\ ([^ ]+) ]] || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		"${BASH_REMATCH[1]}" orch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' bash "$@"
}
# expect "WHAT" "EXPECTED (space-separated)" WORD...
expect() {
	local what=$1 want=$2 got
	shift 2
	got=$(comp "$@" | tr '\n' ' ' | sed 's/ $//')
	if [[ $got == "$want" ]]; then
		check_passed "completion: $what"
	else
		check_failed "completion: $what: [$*] gave '$got', not '$want'"
	fi
}
i=$work/inv/hosts.ini
expect "commands" "apply facts inventory rollback" orch ''
expect "a command by its start" "rollback" orch ro
expect "options of a command" "--reboot --reboot-timeout" orch apply "$i" --reb
expect "options of inventory" "--graph --graph=" orch inventory "$i" --gr
expect "fixed option values" "auto never" orch apply "$i" --reboot ''
expect "files for INVENTORY" "$work/inv/hosts.ini" orch apply "$work/inv/ho"
expect "files for --junit" "$work/inv/more.ini" orch apply "$i" --junit "$work/inv/mo"
expect "hosts and groups for --limit" "all gpu lone pve8 pve8-a pve8-b ungrouped web web1" orch apply "$i" -l ''
expect "the last part of a --limit pattern" "gpu,pve8-a gpu,pve8-b" orch facts "$i" --limit gpu,pve8-
expect "a --limit pattern broken at its colon" "pve8 pve8-a pve8-b" orch apply "$i" -l web : pv
expect "an exclusion in a --limit pattern" "!web !web1" orch apply "$i" -l '!we'
expect "the inventory after --limit" "pve8 pve8-a pve8-b" orch apply -l web "$i" --forks 3 -l pve
expect "options with a common start" "--maintenance --maintenance-timeout" orch apply "$i" --mai
expect "a --maintenance-timeout value is no inventory" "pve8 pve8-a pve8-b" orch apply --maintenance-timeout 60 "$i" -l pve
expect "groups for --graph=" "all gpu pve8 ungrouped web" orch inventory "$i" --graph = ''
# Several inventories: every non-option word after the command is one.
if /usr/bin/orch inventory "$i" "$work/inv/more.ini" --list >/dev/null 2>&1; then
	expect "hosts of every inventory on the line" "extra extra1" orch apply "$i" "$work/inv/more.ini" -l ext
else
	echo "note this orch reads one inventory at a time: several on the line not checked"
fi

# -- purge
if dpkg -P orch >"$work/dpkg.log" 2>&1; then
	installed=0
	check_passed "dpkg -P orch"
else
	check_failed "dpkg -P orch:"; cat "$work/dpkg.log"
fi
status=$(dpkg-query -W -f='${db:Status-Abbrev}' orch 2>/dev/null)
[[ -z $status || $status == un* || $status == pn* ]] && check_passed "orch is not installed any more" ||
	check_failed "dpkg still knows orch: '$status'"
for f in "${files[@]}"; do
	[[ ! -e $f ]] && check_passed "gone: $f" || check_failed "left behind: $f"
done
out=$(man -w orch 2>&1) && check_failed "man -w orch still finds '$out'" || check_passed "man -w orch finds nothing"

checks_done || exit 1
echo "all checks passed"
