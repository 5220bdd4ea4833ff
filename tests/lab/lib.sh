# shellcheck shell=bash
# Shared settings and helpers of the real-kernel lab (sourced, not run).
#
# Two emulated Proxmox VE nodes boot Debian's own kernel under QEMU/TCG:
#   sdboot  AMD-Vi IOMMU, UEFI (OVMF), systemd-boot through proxmox-boot-tool
#   grub    Intel VT-d (intremap), legacy BIOS, plain GRUB
# Everything the lab builds is cached under LAB_CACHE; one running lab lives in
# LAB_RUN (disks, logs, keys, inventory).

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CACHE=${ORCH_LAB_CACHE:-/var/cache/orch-lab}
if [[ -z ${ORCH_LAB_CACHE:-} ]] && ! mkdir -p "$LAB_CACHE" 2>/dev/null; then
	LAB_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/orch-lab # not root
fi
LAB_RUN=${ORCH_LAB_RUN:-$LAB_CACHE/run}
LAB_NODES=(sdboot grub)
LAB_MEM=${ORCH_LAB_MEM:-768}

# The PCI layout of every node (q35 root bus).
LAB_MGMT_PCI=0000:00:02.0     # e1000 carrying SSH (hostfwd on 127.0.0.1)
LAB_GPU_SLOT=0000:00:03       # .0 VGA (bochs), .1 HDA audio (snd_hda_intel)
LAB_NIC2_PCI=0000:00:04.0     # e1000 with the management NIC's ID, no hostfwd
LAB_DISK_PCI=0000:00:05.0     # virtio-blk, the node's persistent disk

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

lab_node_valid() {
	local n
	for n in "${LAB_NODES[@]}"; do [[ $1 == "$n" ]] && return 0; done
	return 1
}

# lab_node_loader NODE: which boot loader the node is installed with.
lab_node_loader() {
	case $1 in
	sdboot) echo systemd-boot ;;
	grub) echo grub ;;
	esac
}

# lab_node_iommu NODE: the emulated IOMMU.
lab_node_iommu() {
	case $1 in
	sdboot) echo amd ;;
	grub) echo intel ;;
	esac
}

# lab_kernel_pkg: the Debian kernel package the nodes boot (bookworm's 6.1).
lab_kernel_pkg() {
	if [[ -n ${ORCH_LAB_KERNEL_PKG:-} ]]; then
		echo "$ORCH_LAB_KERNEL_PKG"
		return
	fi
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1\.0-[0-9]+-amd64$/ { print $2; exit }')
	if [[ -z $pkg ]]; then
		# No apt lists: fall back to a kernel fetched before.
		pkg=$(find "$LAB_CACHE/deb" -name 'linux-image-6.1.0-*-amd64_*.deb' 2>/dev/null |
			sed 's|.*/||; s|_.*||' | sort -V | tail -n1)
	fi
	[[ -n $pkg ]] || lab_die "cannot tell which linux-image-6.1.0-*-amd64 to use (run 'apt-get update')"
	echo "$pkg"
}

# lab_image_dir: where build-image.sh leaves vmlinuz, initrd.img and the
# files a node disk needs; set by build-image.sh in LAB_RUN/image.
lab_image_dir() {
	[[ -L $LAB_RUN/image ]] || lab_die "no image in '$LAB_RUN' (run 'lab.sh start')"
	readlink -f "$LAB_RUN/image"
}

lab_port() { cat "$LAB_RUN/$1/port"; }

# lab_ssh NODE ARGS...: ssh into a running node as root with the lab's key.
# Connections share one master per node (a TCG guest takes seconds per key
# exchange); lab_ssh_close ends it when the node goes down.
lab_ssh() {
	local node=$1
	shift
	ssh -q -F none -i "$LAB_RUN/id_ed25519" -p "$(lab_port "$node")" \
		-o UserKnownHostsFile="$LAB_RUN/known_hosts" -o StrictHostKeyChecking=yes \
		-o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=3 -o ServerAliveCountMax=3 \
		-o ControlMaster=auto -o ControlPath="$(lab_mux "$node")" -o ControlPersist=60 \
		-o LogLevel=ERROR ${LAB_SSH_TTY:+-t} root@127.0.0.1 "$@"
}

# lab_mux NODE: the node's SSH master socket (none where the path is too
# long for a unix socket).
lab_mux() {
	local p=$LAB_RUN/$1/ssh.mux
	((${#p} < 100)) && echo "$p" || echo none
}

lab_ssh_close() {
	local mux
	mux=$(lab_mux "$1")
	# The master may be gone already (the node went down first).
	if [[ $mux != none && -S $mux ]]; then
		ssh -q -o ControlPath="$mux" -O exit lab 2>/dev/null || true
	fi
	rm -f "$mux"
}

# lab_last_boot NODE: the console output of the node's latest boot.
lab_last_boot() {
	awk '/^=== lab: boot / { out = "" } { out = out $0 "\n" } END { printf "%s", out }' \
		"$LAB_RUN/$1/console.log" 2>/dev/null
}

# lab_wait_ssh NODE TIMEOUT [OLD_BOOT_ID]: wait until the node answers over
# SSH (with a boot_id other than OLD_BOOT_ID when given).
lab_wait_ssh() {
	local node=$1 timeout=$2 old=${3:-} start id
	start=$SECONDS
	[[ -n $old ]] && lab_ssh_close "$node"
	while ((SECONDS - start < timeout)); do
		if id=$(lab_ssh "$node" cat /proc/sys/kernel/random/boot_id 2>/dev/null) &&
			[[ -n $id && $id != "$old" ]]; then
			return 0
		fi
		# A master left from the node's previous boot only times out.
		[[ -n $id ]] && lab_ssh_close "$node"
		if lab_last_boot "$node" | grep -q 'end Kernel panic'; then
			lab_log "'$node': the kernel panicked: $(lab_last_boot "$node" | grep -m1 'Kernel panic')"
			return 1
		fi
		if [[ -f $LAB_RUN/$node/failed ]]; then
			lab_log "'$node': $(cat "$LAB_RUN/$node/failed")"
			return 1
		fi
		sleep 1
	done
	lab_log "'$node' did not answer over ssh within ${timeout}s (console: $LAB_RUN/$node/console.log)"
	return 1
}
