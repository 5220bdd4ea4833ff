#!/bin/bash
# lab.sh: the real-kernel lab's emulated Proxmox VE nodes.
#
#   lab.sh start [--fresh] [NODE...]  build what is missing, boot the nodes,
#                                     wait for SSH, write inventory.ini
#   lab.sh stop [NODE...]             power the nodes off (disks are kept)
#   lab.sh status                     one line per node
#   lab.sh ssh NODE [COMMAND...]      root shell or command on a node
#   lab.sh reboot NODE...             the node's own 'systemctl reboot', then
#                                     wait until it is back with a new boot_id
#   lab.sh wait NODE...               wait until the nodes answer over SSH
#   lab.sh destroy                    stop, then remove the run directory
#
# Each node runs under a supervisor on the host that plays firmware and boot
# loader: before every boot it reads from the node's disk (debugfs, no mount)
# the kernel and command line the node's last refresh published (the entry its
# boot loader would boot: pins and GRUB_DEFAULT included), and boots that
# kernel with it; when the node reboots, QEMU exits and the supervisor boots
# it again.
#
# ORCH_LAB_RUN (default $ORCH_LAB_CACHE/run) holds one lab: disks, consoles,
# the SSH key, known_hosts and inventory.ini. Guests reach only loopback:
# user networking with restrict=on, SSH forwarded from 127.0.0.1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[[ -n ${ORCH_LAB_TRACE:-} ]] && set -x

BOOT_TIMEOUT=${ORCH_LAB_BOOT_TIMEOUT:-300}

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 1
}

# pick_port: a free TCP port on 127.0.0.1 (nothing accepts a connection).
pick_port() {
	local p
	for ((p = ${ORCH_LAB_PORT:-10022}; p < ${ORCH_LAB_PORT:-10022} + 200; p++)); do
		grep -qx "$p" "$LAB_RUN"/*/port 2>/dev/null && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	lab_die "no free port on 127.0.0.1 from ${ORCH_LAB_PORT:-10022}"
}

supervisor_running() {
	local pid
	pid=$(cat "$LAB_RUN/$1/supervisor.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null
}

qemu_args() {
	local node=$1 image=$2 cmdline=$3 dir=$LAB_RUN/$1
	local port
	port=$(cat "$dir/port")
	QEMU=(qemu-system-x86_64 -name "lab-$node" -accel tcg -smp 1 -m "$LAB_MEM"
		-nodefaults -display none -no-reboot
		-chardev "file,id=console,path=$dir/console.log,append=on" -serial chardev:console
		-monitor "unix:$dir/monitor.sock,server=on,wait=off")
	case $(lab_node_iommu "$node") in
	intel) QEMU+=(-M q35,kernel-irqchip=split -cpu qemu64,vendor=GenuineIntel
		-device intel-iommu,intremap=on) ;;
	amd) QEMU+=(-M q35 -cpu qemu64,vendor=AuthenticAMD -device amd-iommu) ;;
	esac
	local kernel=$image/vmlinuz
	if [[ $(lab_node_loader "$node") == systemd-boot ]]; then
		QEMU+=(-drive "if=pflash,format=raw,readonly=on,file=$(ovmf_code)"
			-drive "if=pflash,format=raw,file=$dir/efivars.fd")
	elif [[ -f $image/vmlinux ]]; then
		kernel=$image/vmlinux
	fi
	QEMU+=(-kernel "$kernel" -initrd "$image/initrd.img" -append "$cmdline"
		-netdev "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22"
		-device "e1000,netdev=mgmt,addr=${LAB_MGMT_PCI#0000:00:},mac=52:54:00:0a:00:02"
		-device "VGA,addr=${LAB_GPU_SLOT#0000:00:}.0,multifunction=on"
		-device "ich9-intel-hda,addr=${LAB_GPU_SLOT#0000:00:}.1"
		-netdev user,id=lan,restrict=on
		-device "e1000,netdev=lan,addr=${LAB_NIC2_PCI#0000:00:},mac=52:54:00:0a:00:04"
		-drive "file=$dir/disk.img,if=none,id=root,format=raw"
		-device "virtio-blk-pci,drive=root,addr=${LAB_DISK_PCI#0000:00:}")
}

ovmf_code() {
	local f
	for f in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd; do
		[[ -f $f ]] && { echo "$f"; return; }
	done
	lab_die "no OVMF firmware (apt-get install ovmf)"
}
ovmf_vars() {
	local f
	for f in /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd; do
		[[ -f $f ]] && { echo "$f"; return; }
	done
	lab_die "no OVMF variable store (apt-get install ovmf)"
}

# The supervisor: firmware, boot loader and power button of one node.
cmd_supervise() {
	local node=$1 dir=$LAB_RUN/$1 image cmdline rc last boots kver
	boots=$(cat "$dir/boots" 2>/dev/null || echo 0)
	# A lab started by a test ends with it, even when the test is killed
	# (a ctest timeout) before it can stop the lab.
	if [[ -n ${ORCH_LAB_OWNER:-} ]]; then
		(
			while kill -0 "$ORCH_LAB_OWNER" 2>/dev/null; do sleep 5; done
			touch "$dir/stop"
			# Until the supervisor ends (and ends this loop): a boot may
			# be starting right now.
			while :; do
				kill "$(cat "$dir/qemu.pid" 2>/dev/null)" 2>/dev/null
				sleep 2
			done
		) &
		# shellcheck disable=SC2064 # the watcher's pid, now
		trap "kill $! 2>/dev/null" EXIT
	fi
	while [[ ! -f $dir/stop ]]; do
		# A node that lost power mid-write is recovered as its next boot would.
		rc=0
		e2fsck -p "$dir/disk.img" >>"$dir/fsck.log" 2>&1 || rc=$?
		if ((rc >= 4)); then
			echo "its disk does not pass e2fsck (see $dir/fsck.log)" >"$dir/failed"
			break
		fi
		# What the boot loader will hand the kernel: the published entry.
		cmdline=$(debugfs -R "cat /boot/published-cmdline" "$dir/disk.img" 2>/dev/null | head -n1)
		kver=$(debugfs -R "cat /boot/published-kernel" "$dir/disk.img" 2>/dev/null | head -n1)
		[[ -n $kver ]] || kver=$(debugfs -R "cat /etc/lab/node.conf" "$dir/disk.img" 2>/dev/null | sed -n 's/^KVER=//p')
		if ! image=$(lab_image_for_kver "$kver"); then
			echo "the boot loader's kernel '$kver' has no image in the lab" >"$dir/failed"
			break
		fi
		if [[ $(lab_node_loader "$node") == grub ]]; then
			cmdline="BOOT_IMAGE=/boot/vmlinuz-$kver $cmdline"
		fi
		boots=$((boots + 1))
		echo "$boots" >"$dir/boots"
		echo "$cmdline" >"$dir/cmdline"
		echo "$kver" >"$dir/kernel"
		printf '\n=== lab: boot %d of %s at %s: %s: %s\n' "$boots" "$node" "$(date -u +%FT%TZ)" "$kver" "$cmdline" \
			>>"$dir/console.log"
		qemu_args "$node" "$image" "$cmdline"
		"${QEMU[@]}" >>"$dir/qemu.log" 2>&1 &
		echo $! >"$dir/qemu.pid"
		rc=0
		wait $! || rc=$?
		rm -f "$dir/qemu.pid"
		# An SSH master into the boot that just ended would only time out.
		lab_ssh_close "$node"
		[[ -f $dir/stop ]] && break
		if ((rc != 0)); then
			echo "qemu exited with status $rc (see $dir/qemu.log)" >"$dir/failed"
			break
		fi
		# The kernel's last words tell a reboot from a power-off.
		last=$(sed -n 's/.*reboot: \(Restarting system\|Power down\).*/\1/p' "$dir/console.log" | tail -n1)
		[[ $last == "Power down" ]] && break
		echo "lab: '$node' rebooted" >>"$dir/supervisor.log"
	done
	rm -f "$dir/supervisor.pid"
}

write_inventory() {
	local node tmp=$LAB_RUN/inventory.ini.tmp
	{
		echo "# The real-kernel lab's emulated Proxmox VE nodes (written by tests/lab/lab.sh)."
		echo "# sdboot: AMD-Vi, UEFI, systemd-boot via proxmox-boot-tool; grub: Intel VT-d, BIOS, GRUB (both 6.1);"
		echo "# trixie: Intel VT-d, UEFI, systemd-boot, 6.12; handmade: set up by hand with the how-to, GRUB, 6.12;"
		echo "# pinned: 6.1 and 6.12 installed, 6.1 pinned, GRUB."
		echo "[lab]"
		for node in "${LAB_NODES[@]}"; do
			[[ -f $LAB_RUN/$node/port ]] || continue
			printf '%s ansible_host=127.0.0.1 ansible_port=%s' "$node" "$(cat "$LAB_RUN/$node/port")"
			[[ $node == sdboot ]] && printf ' iommu_pt=true'
			printf '\n'
		done
		echo
		echo "[lab:vars]"
		echo "ansible_user=root"
		echo "ansible_ssh_private_key_file=$LAB_RUN/id_ed25519"
		echo "# the two-function GPU's slot and the NIC that shares the management NIC's ID"
		echo "passthrough=${LAB_GPU_SLOT#0000:},$LAB_NIC2_PCI"
	} >"$tmp"
	mv "$tmp" "$LAB_RUN/inventory.ini"
	: >"$LAB_RUN/known_hosts.tmp"
	for node in "${LAB_NODES[@]}"; do
		[[ -f $LAB_RUN/$node/port ]] || continue
		printf '[127.0.0.1]:%s %s\n' "$(cat "$LAB_RUN/$node/port")" \
			"$(cut -d' ' -f1,2 "$LAB_RUN/$node/hostkey.pub")" >>"$LAB_RUN/known_hosts.tmp"
	done
	mv "$LAB_RUN/known_hosts.tmp" "$LAB_RUN/known_hosts"
}

cmd_start() {
	local fresh=0 nodes=() node image dir
	while (($#)); do
		case $1 in
		--fresh) fresh=1 ;;
		*) lab_node_valid "$1" || lab_die "unknown node '$1' (nodes: ${LAB_NODES[*]})"; nodes+=("$1") ;;
		esac
		shift
	done
	((${#nodes[@]})) || nodes=("${LAB_NODES[@]}")
	command -v qemu-system-x86_64 >/dev/null || lab_die "qemu-system-x86_64 not found (tests/deps.sh installs it)"

	mkdir -p "$LAB_RUN"
	# One image per kernel the nodes have installed.
	local ids=() id imgs
	for node in "${nodes[@]}"; do
		for id in $(lab_node_kernels "$node"); do
			[[ " ${ids[*]} " == *" $id "* ]] || ids+=("$id")
		done
	done
	for id in "${ids[@]}"; do
		image=$("$LAB_DIR/build-image.sh" "$id")
		ln -sfn "$image" "$LAB_RUN/image-$id"
		lab_log "kernel $id: $(cat "$image/kernel-package")"
	done
	[[ -f $LAB_RUN/id_ed25519 ]] ||
		ssh-keygen -q -t ed25519 -N '' -C orch-lab -f "$LAB_RUN/id_ed25519"

	for node in "${nodes[@]}"; do
		dir=$LAB_RUN/$node
		if supervisor_running "$node"; then
			lab_log "'$node' is already running"
			continue
		fi
		if ((fresh)); then rm -rf "$dir"; fi
		mkdir -p "$dir"
		rm -f "$dir/stop" "$dir/failed"
		if [[ ! -f $dir/disk.img ]]; then
			imgs=()
			for id in $(lab_node_kernels "$node"); do imgs+=("$(lab_image_dir "$id")"); done
			"$LAB_DIR/make-disk.sh" "${imgs[0]}" "$node" "$dir/disk.img" "$LAB_RUN/id_ed25519.pub" "$dir/hostkey.pub" "${imgs[@]:1}"
			[[ $(lab_node_loader "$node") == systemd-boot ]] && cp "$(ovmf_vars)" "$dir/efivars.fd"
			rm -f "$dir/boots" "$dir/console.log"
		fi
		pick_port >"$dir/port.new"
		mv "$dir/port.new" "$dir/port"
		setsid "$0" _supervise "$node" >>"$dir/supervisor.log" 2>&1 </dev/null &
		echo $! >"$dir/supervisor.pid"
		lab_log "'$node' booting (ssh port $(cat "$dir/port"), console $dir/console.log)"
	done
	write_inventory
	for node in "${nodes[@]}"; do
		lab_wait_ssh "$node" "$BOOT_TIMEOUT" || exit 1
		lab_log "'$node' is up"
	done
	lab_log "inventory: $LAB_RUN/inventory.ini"
}

cmd_stop() {
	local nodes=("$@") running=() node dir pid i
	((${#nodes[@]})) || nodes=("${LAB_NODES[@]}")
	for node in "${nodes[@]}"; do
		supervisor_running "$node" || continue
		running+=("$node")
		touch "$LAB_RUN/$node/stop"
		# Clean power-off through the node's own systemctl, so its disk is
		# consistent; QEMU is ended if the node does not go down in time.
		timeout 20 bash -c ". '$LAB_DIR/lib.sh'; lab_ssh '$node' systemctl poweroff" >/dev/null 2>&1 || true
		lab_ssh_close "$node"
	done
	for node in "${running[@]}"; do
		dir=$LAB_RUN/$node
		for ((i = 0; i < 30; i++)); do
			supervisor_running "$node" || break
			sleep 1
		done
		if supervisor_running "$node"; then
			pid=$(cat "$dir/qemu.pid" 2>/dev/null) && kill "$pid" 2>/dev/null || true
			sleep 1
		fi
		if supervisor_running "$node"; then
			kill "$(cat "$dir/supervisor.pid")" 2>/dev/null || true
		fi
		rm -f "$dir/supervisor.pid"
		lab_log "'$node' stopped"
	done
}

cmd_status() {
	local node dir state
	for node in "${LAB_NODES[@]}"; do
		dir=$LAB_RUN/$node
		if [[ ! -d $dir ]]; then
			state="absent"
		elif [[ -f $dir/failed ]]; then
			state="failed: $(cat "$dir/failed")"
		elif ! supervisor_running "$node"; then
			state="stopped"
		elif lab_ssh "$node" true 2>/dev/null; then
			state="up, boot $(cat "$dir/boots" 2>/dev/null)"
		else
			state="booting (boot $(cat "$dir/boots" 2>/dev/null))"
		fi
		printf '%-9s %-12s %-6s %-22s port %-6s %s\n' "$node" "$(lab_node_loader "$node")" \
			"$(lab_node_iommu "$node")" "$(cat "$dir/kernel" 2>/dev/null || echo -)" \
			"$(cat "$dir/port" 2>/dev/null || echo -)" "$state"
	done
}

# All the nodes go down at once, then each is waited for.
cmd_reboot() {
	local node id old=()
	for node in "$@"; do
		lab_node_valid "$node" || lab_die "unknown node '$node'"
		id=$(lab_ssh "$node" cat /proc/sys/kernel/random/boot_id) || lab_die "'$node' is not reachable"
		old+=("$id")
	done
	for node in "$@"; do
		# Detached from the SSH session, which ends before the reboot does.
		lab_ssh "$node" 'setsid systemctl reboot </dev/null >/dev/null 2>&1 &' || true
		lab_ssh_close "$node"
		lab_log "'$node' rebooting"
	done
	for node in "$@"; do
		lab_wait_ssh "$node" "$BOOT_TIMEOUT" "${old[0]}" || exit 1
		old=("${old[@]:1}")
		lab_log "'$node' is back"
	done
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
status) cmd_status ;;
ssh)
	(($# >= 2)) || usage
	lab_node_valid "$2" || lab_die "unknown node '$2'"
	node=$2
	shift 2
	if (($#)); then lab_ssh "$node" "$@"; else LAB_SSH_TTY=1 lab_ssh "$node"; fi
	;;
reboot) shift; (($#)) || usage; cmd_reboot "$@" ;;
wait)
	shift
	for n in "$@"; do lab_wait_ssh "$n" "$BOOT_TIMEOUT"; done
	;;
destroy) cmd_stop; rm -rf "$LAB_RUN" ;;
_supervise) cmd_supervise "$2" ;;
*) usage ;;
esac
