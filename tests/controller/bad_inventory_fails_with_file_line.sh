#!/bin/bash
# An inventory error is reported as FILE:LINE before anything connects (exit 1).
source "$(dirname "$0")/lib.sh"
cat >"$T/bad.ini" <<'INI'
[nodes]
node01 ansible_host=127.0.0.1
[nodes:bogus]
x=1
INI
orch apply "$T/bad.ini"
expect_rc 1
grep -q "$T/bad.ini:3:" "$T/out" || fail "the error does not name $T/bad.ini:3"
orch inventory "$T/bad.ini" --list
expect_rc 1
grep -q "$T/bad.ini:3:" "$T/out" || fail "inventory --list: the error does not name $T/bad.ini:3"
echo "ok: bad inventory names file and line"
