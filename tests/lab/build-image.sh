#!/bin/bash
# build-image.sh [ID]: build (or find in the cache) the lab's node image for
# one of its kernels (ID: bookworm, Debian 12's 6.1, the default; trixie,
# Debian 13's 6.12): Debian's own kernel and an initramfs holding busybox,
# kmod, OpenSSH's sshd and sftp-server with their libraries, lspci, tsort
# (initramfs-tools orders its boot scripts with it), the kernel modules a node
# needs, and the lab's node scripts (tests/lab/node/). Prints the image
# directory.
#
# Nothing is downloaded except the kernel package, through apt-get with the
# lab's own sources list and lists (lib.sh: lab_apt), never the machine's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The drivers of the emulated hardware, vfio, the root disk and the bridge;
# modprobe adds what they depend on. A name the kernel does not have as a
# module (vfio_virqfd from 6.2 on: part of vfio) is left out.
MODULES=(
	vfio vfio_iommu_type1 vfio_pci vfio_virqfd
	e1000 e1000e bochs snd_hda_intel snd_hda_codec_generic
	virtio_pci virtio_blk ext4 bridge efivarfs
)
# Host programs copied with the libraries ldd names.
PROGRAMS=(/usr/sbin/sshd /usr/lib/openssh/sftp-server /usr/bin/kmod /usr/bin/lspci /usr/bin/tsort /usr/bin/dash)

id=${1:-bookworm}
pin_pkg=$(lab_kernel_pin "$id" pkg)
pin_ver=$(lab_kernel_pin "$id" version)
pin_sum=$(lab_kernel_pin "$id" sha256)
var=ORCH_LAB_KERNEL_${id^^}
want=${!var:-$pin_pkg}
mkdir -p "$LAB_CACHE/deb"

# find_deb PKG [VERSION]: the cached package file (newest version).
find_deb() {
	local v=${2:-*}
	find "$LAB_CACHE/deb" -name "${1}_${v/:/%3a}_amd64.deb" | sort -V | tail -n1
}
lists_fresh() {
	[[ -n $(find "$LAB_CACHE/apt/$id/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null) ]]
}
update_lists() {
	lists_fresh || lab_apt "$id" apt-get update >&2 || lab_die "apt-get update for $id failed (sources: $LAB_CACHE/apt/$id/sources.list)"
}
# download PKG[=VERSION]: into the cache, through the lab's apt.
download() {
	lab_log "fetching $1 with apt-get download ($id)"
	# As root into a directory _apt cannot write, apt warns that it
	# downloads unsandboxed: true, and harmless here.
	(cd "$LAB_CACHE/deb" && lab_apt "$id" apt-get download "$1" >&2)
}

deb=
if [[ $want == "$pin_pkg" ]]; then
	deb=$(find_deb "$pin_pkg" "$pin_ver")
	if [[ -z $deb ]]; then
		update_lists
		download "$pin_pkg=$pin_ver" || true
		deb=$(find_deb "$pin_pkg" "$pin_ver")
	fi
	if [[ -n $deb ]] && [[ $(sha256sum "$deb" | cut -d' ' -f1) != "$pin_sum" ]]; then
		lab_die "$deb does not have the pinned SHA256 $pin_sum (lib.sh LAB_KERNEL_PINS)"
	fi
	if [[ -z $deb ]]; then
		want=latest
		lab_log "warning: the pinned $pin_pkg $pin_ver is not on the mirror any more: using $id's current kernel (update LAB_KERNEL_PINS in tests/lab/lib.sh)"
	fi
fi
if [[ -z $deb ]]; then
	if [[ $want == latest ]]; then
		update_lists
		want=$(lab_apt "$id" apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		[[ -n $want ]] || lab_die "cannot tell $id's current kernel package (linux-image-amd64)"
	fi
	deb=$(find_deb "$want")
	if [[ -z $deb ]]; then
		update_lists
		download "$want" || lab_die "apt-get download '$want' failed"
		deb=$(find_deb "$want")
	fi
fi
[[ -n $deb ]] || lab_die "no package for the $id kernel"
pkg=$(dpkg-deb -f "$deb" Package)
pkg_ver=$(dpkg-deb -f "$deb" Version)
pkg_sum=$(sha256sum "$deb" | cut -d' ' -f1)
kver=${pkg#linux-image-}

# The kernel package, unpacked once. Debian 13's puts its modules under
# /usr/lib/modules (merged /usr), xz-compressed.
kroot=$LAB_CACHE/kernel/$kver
if [[ ! -f $kroot/.done ]]; then
	rm -rf "$kroot"
	mkdir -p "$kroot"
	dpkg -x "$deb" "$kroot"
	if [[ -d $kroot/usr/lib/modules && ! -e $kroot/lib ]]; then
		ln -s usr/lib "$kroot/lib"
	fi
	depmod -b "$kroot" "$kver"
	touch "$kroot/.done"
fi

# The image is keyed by kernel and by every input file, so an edit to a
# node script rebuilds it and two lab versions never share a stale one.
key=$( (
	echo "$id $kver $pkg_sum"
	cat "$0" "$LAB_DIR/lib.sh"
	find "$LAB_DIR/node" -type f | LC_ALL=C sort | xargs cat
	for p in "${PROGRAMS[@]}" /bin/busybox; do sha256sum "$p"; done
) | sha256sum | cut -c1-12)
out=$LAB_CACHE/image/$kver-$key
if [[ -f $out/.done ]]; then
	touch "$out" # in use: kept by the pruning below
	lab_log "kernel ($id): $(cat "$out/kernel-package")"
	echo "$out"
	exit 0
fi

lab_log "building the node image for $kver in $out"
rm -rf "$out"
mkdir -p "$out"
stage=$(mktemp -d "$LAB_CACHE/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/lib,lib,lib64,etc,proc,sys,dev,run,tmp,persist,etc,var,root,boot,mnt}

# Programs and their libraries, at the paths the dynamic loader expects.
copy_with_libs() {
	local bin=$1 lib
	install -D -m 0755 "$bin" "$stage$bin"
	for lib in $(ldd "$bin" | awk '/=> \//{ print $3 } /^\t\/lib/{ print $1 }'); do
		[[ -e $stage$lib ]] || install -D -m 0755 "$(readlink -f "$lib")" "$stage$lib"
	done
}
for p in "${PROGRAMS[@]}"; do copy_with_libs "$p"; done
for t in modprobe insmod rmmod lsmod modinfo depmod; do ln -s /usr/bin/kmod "$stage/sbin/$t"; done
ln -s /usr/bin/lspci "$stage/bin/lspci"
install -D -m 0644 /usr/share/misc/pci.ids "$stage/usr/share/misc/pci.ids"

# busybox for everything else, where nothing above took the name.
install -m 0755 /bin/busybox "$stage/bin/busybox"
while read -r applet; do
	[[ -e $stage/$applet || -L $stage/$applet ]] && continue
	mkdir -p "$stage/$(dirname "$applet")"
	ln -s /bin/busybox "$stage/$applet"
done < <(/bin/busybox --list-full)
ln -sf /bin/busybox "$stage/init"
# /bin/sh is dash, as on Debian: busybox's static shell runs its own applets
# before any program in PATH, so every 'modprobe' in a script would be
# busybox's (no softdep, no -c) instead of kmod's.
ln -sf /usr/bin/dash "$stage/bin/sh"

# The node's scripts (init, shutdown, boot tools).
cp -a "$LAB_DIR/node/." "$stage/"
# What systemd-boot leaves in LoaderInfo: attributes, then the UTF-16LE name.
# systemd-boot makes it volatile; an OS may only create non-volatile ones
# (non-volatile, boot service, runtime).
{
	printf '\x07\x00\x00\x00'
	printf '%s' "systemd-boot 252" | sed 's/./&\n/g' | while IFS= read -r c; do
		[[ -n $c ]] && printf '%s\x00' "$c"
	done
	printf '\x00\x00'
} >"$stage/lab/loaderinfo.efivar"

# Kernel modules: the closure of MODULES, then a modules.dep for just them.
mdir=lib/modules/$kver
mkdir -p "$stage/$mdir"
for m in "${MODULES[@]}"; do
	# Not a module of this kernel (built in, or gone): nothing to copy.
	modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>/dev/null |
		awk '$1 == "insmod" { print $2 }' || true
done | sort -u | while read -r ko; do
	rel=lib/${ko#"$kroot"/*lib/}
	install -D -m 0644 "$ko" "$stage/$rel"
done
cp "$kroot/$mdir"/modules.{builtin,builtin.modinfo,order} "$stage/$mdir/"
depmod -b "$stage" "$kver"
# Merged /usr: /usr/lib/modules is /lib/modules.
ln -s /lib/modules "$stage/usr/lib/modules"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/initrd.img"
cp "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"
# The uncompressed kernel, for nodes booted without UEFI: QEMU starts it at
# its PVH entry, which saves the seconds TCG spends unpacking an xz bzImage.
# (Debian 12 compresses it with xz, Debian 13 with zstd.)
off=$(grep -abo $'\xfd7zXZ\x00' "$out/vmlinuz" | head -n1 | cut -d: -f1) || true
if [[ -n $off ]]; then
	# tail ends on SIGPIPE once xz has its one stream: judge the result.
	tail -c +$((off + 1)) "$out/vmlinuz" | xz -dc --single-stream >"$out/vmlinux" 2>/dev/null || true
else
	off=$(grep -abo $'\x28\xb5\x2f\xfd' "$out/vmlinuz" | head -n1 | cut -d: -f1) || true
	# zstd stops at the end of its frame and reports the trailing bytes.
	[[ -n $off ]] && { tail -c +$((off + 1)) "$out/vmlinuz" | zstd -dc -q >"$out/vmlinux" 2>/dev/null || true; }
fi
if [[ -f $out/vmlinux ]] && ! readelf -n "$out/vmlinux" 2>/dev/null | grep 'Xen.*0x00000012' >/dev/null; then
	rm -f "$out/vmlinux"
fi
cp "$kroot/boot/config-$kver" "$out/config"
echo "$kver" >"$out/kver"
echo "$id" >"$out/id"
# What the lab tests: the package, its version and hash.
echo "$pkg $pkg_ver $pkg_sum" >"$out/kernel-package"
# The kernel's own module index, for node disks that have this kernel
# installed but do not boot it (the agent reads /lib/modules/<kver>).
mkdir -p "$out/modules-meta"
cp "$kroot/$mdir"/modules.{dep,builtin,builtin.modinfo,order,alias,softdep} "$out/modules-meta/"
cp -a "$LAB_DIR/node/lab/tool-lib" "$out/tool-lib"
cp -a "$LAB_DIR/node/usr/sbin" "$out/tools"
cp -a "$LAB_DIR/node/usr/bin/systemctl" "$out/tools/"
touch "$out/.done"
lab_log "kernel ($id): $(cat "$out/kernel-package")"
# Images of other lab versions pile up in a long-lived cache: drop those
# unused for two days (a running lab keeps using its own).
find "$LAB_CACHE/image" -mindepth 1 -maxdepth 1 -type d ! -path "$out" -mtime +2 -exec rm -rf {} + 2>/dev/null || true
lab_log "node image: $(du -sh "$out/initrd.img" | cut -f1) initramfs, kernel $kver"
echo "$out"
