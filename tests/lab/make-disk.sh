#!/bin/bash
# make-disk.sh IMAGE_DIR NODE DISK PUBKEY HOSTKEY_OUT [IMAGE_DIR...]
# Build a node's persistent disk: an ext4 image (mke2fs -d, no mount) holding
# the node's /etc, /var, /root and /boot the way a freshly installed Proxmox VE
# node has them, with the boot chain already published as the installer
# leaves it (a first update-grub / proxmox-boot-tool refresh and
# update-initramfs, run by the node's own tools against the staged tree).
# Every IMAGE_DIR is a kernel installed on the node (/boot/vmlinuz-<kver>,
# /boot/config-<kver>, its module index in /lib/modules/<kver>); the first
# gives the boot tools. Nodes found as they are get their history here:
#   handmade  the common passthrough how-to applied by hand, before orch,
#             for a GPU the node no longer has
#   pinned    'proxmox-boot-tool kernel pin' to its older kernel
set -euo pipefail
. "$(dirname "$0")/lib.sh"

image=$1 node=$2 disk=$3 pubkey=$4 hostkey_out=$5
shift 5
images=("$image" "$@")
kver=$(cat "$image/kver")
loader=$(lab_node_loader "$node")
uuid=$(cat /proc/sys/kernel/random/uuid)
stage=$(mktemp -d "${disk}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{etc,var/lib,var/log,var/tmp,root/.ssh,boot,lib/modules}
e=$stage/etc
mkdir -p "$e"/{ssh,modprobe.d,udev/rules.d,kernel,default/grub.d,network,lab}

cat >"$e/lab/node.conf" <<CONF
# read by the lab's init and boot tools
NODE=$node
LOADER=$loader
KVER=$kver
ROOT_UUID=$uuid
MGMT_PCI=$LAB_MGMT_PCI
ADDRESS=10.0.2.15/24
GATEWAY=10.0.2.2
CONF
echo "$node" >"$e/hostname"
printf '127.0.0.1 localhost\n10.0.2.15 %s.lab %s\n' "$node" "$node" >"$e/hosts"
cat >"$e/passwd" <<'X'
root:x:0:0:root:/root:/bin/sh
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
X
cat >"$e/group" <<'X'
root:x:0:
tty:x:5:
nogroup:x:65534:
X
printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$e/shadow"
chmod 0640 "$e/shadow"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$e/nsswitch.conf"
printf '/bin/sh\n' >"$e/shells"
if [[ $(lab_node_kernels "$node") == trixie ]]; then
	cat >"$e/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
NAME="Debian GNU/Linux"
VERSION_ID="13"
VERSION="13 (trixie)"
VERSION_CODENAME=trixie
ID=debian
X
	echo "13.2" >"$e/debian_version"
else
	cat >"$e/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
X
	echo "12.8" >"$e/debian_version"
fi
ln -s /proc/mounts "$e/mtab"
cat >"$e/profile" <<'X'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
PS1='\h:\w\$ '
X
cat >"$e/network/interfaces" <<X
# as the Proxmox VE installer writes it (the lab's init sets this up)
auto lo
iface lo inet loopback

iface eno1 inet manual

auto vmbr0
iface vmbr0 inet static
	address 10.0.2.15/24
	gateway 10.0.2.2
	bridge-ports eno1
	bridge-stp off
	bridge-fd 0
X

# Modules and drivers as Debian and Proxmox VE ship them.
cat >"$e/modules" <<'X'
# /etc/modules: kernel modules to load at boot time.
#
# This file contains the names of kernel modules that should be loaded
# at boot time, one per line. Lines beginning with "#" are ignored.
# Parameters can be specified after the module name.

X
printf '# This file contains a list of modules which are not supported by Proxmox VE\n\n# nvidiafb see bugreport https://bugzilla.proxmox.com/show_bug.cgi?id=701\nblacklist nvidiafb\n' \
	>"$e/modprobe.d/pve-blacklist.conf"

# The boot loader. Both nodes carry no_timer_check, as kernels in VMs often
# do: on a busy host TCG may deliver the timer interrupt too late for the
# kernel's IO-APIC check, which then panics ("timer doesn't work through
# Interrupt-remapped IO-APIC").
cat >"$e/default/grub" <<'X'
# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR="Proxmox VE"
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX="console=ttyS0,115200 no_timer_check"
X
if [[ $loader == systemd-boot ]]; then
	echo "root=UUID=$uuid ro console=ttyS0,115200 no_timer_check quiet" >"$e/kernel/cmdline"
	printf '%04X-%04X\n' $((RANDOM)) $((RANDOM)) >"$e/kernel/proxmox-boot-uuids"
fi
# The installed kernels, as their packages leave them.
for img in "${images[@]}"; do
	k=$(cat "$img/kver")
	cp "$img/config" "$stage/boot/config-$k"
	[[ -f $img/vmlinuz ]] && cp "$img/vmlinuz" "$stage/boot/vmlinuz-$k"
	if [[ -d $img/modules-meta ]]; then
		mkdir -p "$stage/lib/modules/$k"
		cp "$img"/modules-meta/* "$stage/lib/modules/$k/"
	fi
done
if lab_node_vtd_off "$node"; then
	# Debian's 6.1 turns VT-d on by default (a Debian patch:
	# CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y); Proxmox VE's kernels before
	# 6.8 do not. The Intel node starts as those do, through its own boot
	# configuration where anything reading it sees it: a later intel_iommu=on
	# (orch's drop-in sorts after this one) wins.
	cat >"$e/default/grub.d/00-vtd-off.cfg" <<'X'
# VT-d off until passthrough is set up, as with Proxmox VE kernels before 6.8
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=off"
X
fi

# sshd: root with the lab's key only; host keys live on the disk.
cat >"$e/ssh/sshd_config" <<'X'
Port 22
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile .ssh/authorized_keys
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
PidFile /run/sshd.pid
Subsystem sftp /usr/lib/openssh/sftp-server
X
ssh-keygen -q -t ed25519 -N '' -C "root@$node" -f "$e/ssh/ssh_host_ed25519_key"
ssh-keygen -q -t ecdsa -N '' -C "root@$node" -f "$e/ssh/ssh_host_ecdsa_key"
cp "$e/ssh/ssh_host_ed25519_key.pub" "$hostkey_out"
install -m 0600 "$pubkey" "$stage/root/.ssh/authorized_keys"
chmod 0700 "$stage/root" "$stage/root/.ssh"
ln -s /run "$stage/var/run"

# What the installer leaves published: the boot entries and an initramfs.
export LAB_NODE_ROOT=$stage LAB_TOOL_LIB=$image/tool-lib LAB_TOOLS=$image/tools
export LAB_INITRAMFS_SHARE=$LAB_DIR/node/usr/share/initramfs-tools
refresh_boot() {
	if [[ $loader == systemd-boot ]]; then
		sh "$image/tools/proxmox-boot-tool" refresh >/dev/null
	else
		sh "$image/tools/update-grub" 2>/dev/null
	fi
}
refresh_boot
sh "$image/tools/update-initramfs" -u -k all >/dev/null

case $node in
handmade)
	# The common how-to, by hand, for the GPU the node had before (an NVIDIA
	# GTX 1080 and its audio function, since swapped): vfio-pci by that ID
	# with disable_vga=1, the GPU drivers blacklisted, unsafe interrupts
	# allowed, kvm's ignore_msrs, intel_iommu=on in GRUB_CMDLINE_LINUX_DEFAULT,
	# the vfio modules with vfio_virqfd in /etc/modules (which modprobe cannot
	# load on 6.12: it is part of vfio), then update-grub and update-initramfs.
	echo 'options vfio-pci ids=10de:1b80,10de:10f0 disable_vga=1' >"$e/modprobe.d/vfio.conf"
	printf 'blacklist nouveau\nblacklist nvidia\nblacklist radeon\nblacklist amdgpu\n' >"$e/modprobe.d/blacklist.conf"
	echo 'options vfio_iommu_type1 allow_unsafe_interrupts=1' >"$e/modprobe.d/iommu_unsafe_interrupts.conf"
	echo 'options kvm ignore_msrs=1' >"$e/modprobe.d/kvm.conf"
	sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"$/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"/' "$e/default/grub"
	printf 'vfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd\n' >>"$e/modules"
	refresh_boot
	sh "$image/tools/update-initramfs" -u -k all >/dev/null
	;;
pinned)
	# The admin keeps the older kernel: 'proxmox-boot-tool kernel pin', then
	# the refresh it asks for.
	oldest=$(for img in "${images[@]}"; do cat "$img/kver"; done | sort -V | head -n1)
	sh "$image/tools/proxmox-boot-tool" kernel pin "$oldest" >/dev/null
	refresh_boot
	;;
esac

rm -f "$disk"
mke2fs -q -t ext4 -L "$node-root" -U "$uuid" -d "$stage" -F "$disk" 128M
