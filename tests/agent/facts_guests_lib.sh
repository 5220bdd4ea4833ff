# Shared by the facts tests of running guests: zfs-secureboot-grub (node
# pve-sb3) runs VM 100 (pid 2900, pid file /var/run/qemu-server/100.pid) and
# container 200 (its socket @/var/lib/lxc/200/command); VM 101 is stopped.

# running_guests: the facts' running_guests of a facts run on $R, as JSON.
running_guests() {
	jq -n '{"version":1,"root":$r,"steps":[{"name":"facts"}]}' --arg r "$R" >"$T/plan.json"
	run_agent "$T/plan.json"
	expect_ok_run
	result facts | jq -c '.facts.running_guests'
}

# expect_running JSON WHY: the running guests are JSON (an array), else fail with WHY.
expect_running() {
	local got
	got=$(running_guests)
	[[ $got == "$1" ]] || fail "$2: running_guests $got, expected $1"
}
