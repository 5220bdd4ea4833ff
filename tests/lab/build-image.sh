#!/bin/bash
# Build (or find in the cache) the lab's node image: Debian's own 6.1 kernel
# and an initramfs holding busybox, kmod, OpenSSH's sshd and sftp-server with
# their libraries, lspci, the kernel modules a node needs, and the lab's node
# scripts (tests/lab/node/). Prints the image directory.
#
# Nothing is downloaded except the kernel package, through apt-get.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The drivers of the emulated hardware, vfio, the root disk and the bridge;
# modprobe adds what they depend on.
MODULES=(
	vfio vfio_iommu_type1 vfio_pci vfio_virqfd
	e1000 e1000e bochs snd_hda_intel snd_hda_codec_generic
	virtio_pci virtio_blk ext4 bridge efivarfs
)
# Host programs copied with the libraries ldd names.
PROGRAMS=(/usr/sbin/sshd /usr/lib/openssh/sftp-server /usr/bin/kmod /usr/bin/lspci)

pkg=$(lab_kernel_pkg)
kver=${pkg#linux-image-}

# The kernel package, unpacked once.
kroot=$LAB_CACHE/kernel/$kver
if [[ ! -f $kroot/.done ]]; then
	mkdir -p "$LAB_CACHE/deb"
	deb=$(find "$LAB_CACHE/deb" -name "${pkg}_*.deb" | sort -V | tail -n1)
	if [[ -z $deb ]]; then
		lab_log "fetching $pkg with apt-get download"
		# As root into a directory _apt cannot write, apt warns that it
		# downloads unsandboxed: true, and harmless here.
		(cd "$LAB_CACHE/deb" && apt-get -q download "$pkg" >&2) ||
			lab_die "apt-get download '$pkg' failed"
		deb=$(find "$LAB_CACHE/deb" -name "${pkg}_*.deb" | sort -V | tail -n1)
	fi
	rm -rf "$kroot"
	mkdir -p "$kroot"
	dpkg -x "$deb" "$kroot"
	depmod -b "$kroot" "$kver"
	touch "$kroot/.done"
fi

# The image is keyed by kernel and by every input file, so an edit to a
# node script rebuilds it and two lab versions never share a stale one.
key=$( (
	echo "$kver"
	cat "$0" "$LAB_DIR/lib.sh"
	find "$LAB_DIR/node" -type f | LC_ALL=C sort | xargs cat
	for p in "${PROGRAMS[@]}" /bin/busybox; do sha256sum "$p"; done
) | sha256sum | cut -c1-12)
out=$LAB_CACHE/image/$kver-$key
if [[ -f $out/.done ]]; then
	touch "$out" # in use: kept by the pruning below
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
	modprobe -d "$kroot" -S "$kver" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	rel=${ko#"$kroot"/}
	install -D -m 0644 "$ko" "$stage/$rel"
done
cp "$kroot/$mdir"/modules.{builtin,builtin.modinfo,order} "$stage/$mdir/"
depmod -b "$stage" "$kver"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/initrd.img"
cp "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"
# The uncompressed kernel, for nodes booted without UEFI: QEMU starts it at
# its PVH entry, which saves the seconds TCG spends unpacking an xz bzImage.
off=$(grep -abo $'\xfd7zXZ\x00' "$out/vmlinuz" | head -n1 | cut -d: -f1) || true
if [[ -n $off ]]; then
	# tail ends on SIGPIPE once xz has its one stream: judge the result.
	tail -c +$((off + 1)) "$out/vmlinuz" | xz -dc --single-stream >"$out/vmlinux" 2>/dev/null || true
	readelf -n "$out/vmlinux" 2>/dev/null | grep 'Xen.*0x00000012' >/dev/null || rm -f "$out/vmlinux"
fi
cp "$kroot/boot/config-$kver" "$out/config"
echo "$kver" >"$out/kver"
cp -a "$LAB_DIR/node/lab/tool-lib" "$out/tool-lib"
cp -a "$LAB_DIR/node/usr/sbin" "$out/tools"
cp -a "$LAB_DIR/node/usr/bin/systemctl" "$out/tools/"
touch "$out/.done"
# Images of other lab versions pile up in a long-lived cache: drop those
# unused for two days (a running lab keeps using its own).
find "$LAB_CACHE/image" -mindepth 1 -maxdepth 1 -type d ! -path "$out" -mtime +2 -exec rm -rf {} + 2>/dev/null || true
lab_log "node image: $(du -sh "$out/initrd.img" | cut -f1) initramfs, kernel $kver"
echo "$out"
