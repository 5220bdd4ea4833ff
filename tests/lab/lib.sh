# shellcheck shell=bash
# Shared settings and helpers of the real-kernel lab (sourced, not run).
#
# Emulated Proxmox VE nodes boot Debian's own kernels under QEMU/TCG:
#   sdboot    AMD-Vi IOMMU, UEFI (OVMF), systemd-boot through proxmox-boot-tool, 6.1
#   grub      Intel VT-d (intremap), legacy BIOS, plain GRUB, 6.1
#   trixie    Intel VT-d, UEFI, systemd-boot through proxmox-boot-tool, 6.12
#   handmade  Intel VT-d, BIOS, GRUB, 6.12, set up by hand with the common
#             how-to for a GPU it no longer has
#   pinned    Intel VT-d, BIOS, GRUB, 6.1 and 6.12 installed, 6.1 pinned
# Everything the lab builds is cached under LAB_CACHE; one running lab lives in
# LAB_RUN (disks, logs, keys, inventory).

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CACHE=${ORCH_LAB_CACHE:-/var/cache/orch-lab}
if [[ -z ${ORCH_LAB_CACHE:-} ]] && ! mkdir -p "$LAB_CACHE" 2>/dev/null; then
	LAB_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/orch-lab # not root
fi
LAB_RUN=${ORCH_LAB_RUN:-$LAB_CACHE/run}
LAB_NODES=(sdboot grub trixie handmade pinned)
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
	sdboot | trixie) echo systemd-boot ;;
	grub | handmade | pinned) echo grub ;;
	esac
}

# lab_node_iommu NODE: the emulated IOMMU.
lab_node_iommu() {
	case $1 in
	sdboot) echo amd ;;
	*) echo intel ;;
	esac
}

# lab_node_kernels NODE: the Debian releases whose kernel the node has
# installed (the lab's kernel ids, see lab_kernel_pin).
lab_node_kernels() {
	case $1 in
	sdboot | grub) echo bookworm ;;
	trixie | handmade) echo trixie ;;
	pinned) echo bookworm trixie ;;
	esac
}

# lab_node_vtd_off NODE: the node starts with VT-d off through its own GRUB
# configuration, as Proxmox VE's kernels before 6.8 default it off (see
# make-disk.sh); the 6.12-only nodes keep their kernel's default (on).
lab_node_vtd_off() {
	[[ $(lab_node_iommu "$1") == intel && ${ORCH_LAB_VTD_DEFAULT:-off} == off ]] || return 1
	case $1 in grub | pinned) return 0 ;; esac
	return 1
}

# The kernels the lab boots, pinned: a kernel that changes under the lab
# changes what its tests prove, so each is fetched as the package version
# recorded here, checked against its SHA256 (apt checks it against the
# mirror's signed index too). A pin the mirror no longer carries (Debian
# replaces a kernel ABI at its point releases) falls back to the release's
# current linux-image-amd64 with a warning; the version and hash actually
# used are printed by build-image.sh and kept in the image (kernel-package).
# ORCH_LAB_KERNEL_<ID>=PACKAGE (e.g. ORCH_LAB_KERNEL_TRIXIE) takes another
# package; =latest takes the current one.
#   id        package                           version      sha256
LAB_KERNEL_PINS=(
	"bookworm linux-image-6.1.0-56-amd64 6.1.192-2 a86e2049672f52354c4536a089203b6c82639420424d31c91cf31a181fd4d8f1"
	"trixie linux-image-6.12.117+deb13-amd64 6.12.117-1 ca712d36790184f6ac125ce2b20ea4e2202ae6bb7817b7de268f1f0115ccda73"
)
# The lab's own apt sources (the machine's apt configuration is not used):
# Debian's mirror, with the security suite where bookworm's kernels are
# updated first.
LAB_APT_MIRROR=${ORCH_LAB_APT_MIRROR:-http://deb.debian.org/debian}
LAB_APT_SECURITY=${ORCH_LAB_APT_SECURITY:-http://deb.debian.org/debian-security}

# lab_kernel_pin ID FIELD: FIELD (pkg, version, sha256) of a kernel's pin.
lab_kernel_pin() {
	local line id pkg ver sum
	for line in "${LAB_KERNEL_PINS[@]}"; do
		read -r id pkg ver sum <<<"$line"
		[[ $id == "$1" ]] || continue
		case $2 in pkg) echo "$pkg" ;; version) echo "$ver" ;; sha256) echo "$sum" ;; esac
		return 0
	done
	lab_die "unknown kernel id '$1'"
}

# lab_apt ID ARGS...: apt-get/apt-cache with the lab's sources for one
# release, its own lists and cache under LAB_CACHE/apt/ID.
lab_apt() {
	local id=$1 tool=$2 dir=$LAB_CACHE/apt/$1
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	if [[ ! -f $dir/sources.list ]]; then
		printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
			"$LAB_APT_MIRROR" "$id" "$LAB_APT_SECURITY" "$id-security" >"$dir/sources.list"
	fi
	"$tool" -q -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o Dir::State::status=/dev/null \
		-o APT::Architecture=amd64 "$@"
}

# lab_image_dir [ID]: where build-image.sh left vmlinuz, initrd.img and the
# files a node disk needs for kernel ID (default bookworm); lab.sh start links
# it as LAB_RUN/image-ID.
lab_image_dir() {
	local id=${1:-bookworm}
	[[ -L $LAB_RUN/image-$id ]] || lab_die "no $id image in '$LAB_RUN' (run 'lab.sh start')"
	readlink -f "$LAB_RUN/image-$id"
}

# lab_image_for_kver KVER: the image of the lab's run that holds kernel KVER.
lab_image_for_kver() {
	local l
	for l in "$LAB_RUN"/image-*; do
		[[ -L $l && $(cat "$l/kver" 2>/dev/null) == "$1" ]] && { readlink -f "$l"; return 0; }
	done
	return 1
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
