#!/bin/bash
# The how-to blacklists amdgpu, which the host's own RX 550 (0d:00.0)
# needs: a finding, reported with its file and line, and not changed (the
# admin's blacklist of a driver is theirs to drop).
. "$(dirname "$0")/lib.sh"
use_root hand-configured
apply
expect_ok_run
grep -qF "'blacklist amdgpu' at /etc/modprobe.d/blacklist.conf:4 keeps amdgpu from 0000:0d:00.0" <<<"$(msg_of host_drivers)" ||
	fail "no finding for blacklist amdgpu: $(msg_of host_drivers)"
grep -q "blacklist nouveau" <<<"$(msg_of host_drivers)" && fail "a blacklist nothing on the host needs is reported"
expect_unchanged /etc/modprobe.d/blacklist.conf
