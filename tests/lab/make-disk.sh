#!/bin/bash
# make-disk.sh IMAGE_DIR NODE DISK PUBKEY HOSTKEY_OUT
# Build a node's persistent disk: an ext4 image (mke2fs -d, no mount) holding
# the node's /etc, /var, /root and /boot the way a freshly installed Proxmox VE
# node has them, with the boot chain already published as the installer
# leaves it (a first update-grub / proxmox-boot-tool refresh and
# update-initramfs, run by the node's own tools against the staged tree).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

image=$1 node=$2 disk=$3 pubkey=$4 hostkey_out=$5
kver=$(cat "$image/kver")
loader=$(lab_node_loader "$node")
uuid=$(cat /proc/sys/kernel/random/uuid)
stage=$(mktemp -d "${disk}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{etc,var/lib,var/log,var/tmp,root/.ssh,boot}
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
cat >"$e/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
X
echo "12.8" >"$e/debian_version"
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
cp "$image/config" "$stage/boot/config-$kver"
if [[ $(lab_node_iommu "$node") == intel && ${ORCH_LAB_VTD_DEFAULT:-off} == off ]]; then
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
if [[ $loader == systemd-boot ]]; then
	sh "$image/tools/proxmox-boot-tool" refresh >/dev/null
else
	sh "$image/tools/update-grub" 2>/dev/null
fi
sh "$image/tools/update-initramfs" -u -k all >/dev/null

rm -f "$disk"
mke2fs -q -t ext4 -L "$node-root" -U "$uuid" -d "$stage" -F "$disk" 128M
