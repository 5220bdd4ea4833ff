#!/bin/bash
# Installs every Debian package that building orch and running its tests need.
# Idempotent: packages already installed are left alone, and apt is not touched
# at all when nothing is missing. Runs as root (or through sudo).
set -euo pipefail

# One package a line; add what a new build step or test needs.
packages=(
	# build
	build-essential
	cmake
	pkg-config
	dpkg-dev              # dpkg-source unpacks pciutils (cmake/pciutils.cmake)
	libjansson-dev        # ships libjansson.a for the static agent
	libssh-dev
	libssl-dev
	libyaml-dev           # inventory/yaml.c: YAML inventories and vars files (controller only)
	# tests
	openssh-server        # integration tests run a real sshd on loopback
	openssh-client
	iproute2              # network namespaces
	jq
	file
	pci.ids               # the lab's node images (tests/lab/build-image.sh)
	patch                 # tests/agent: unified diffs are applied
	clang                 # fuzzers
	libclang-rt-14-dev
	valgrind
	strace
	# the QEMU lab
	busybox-static
	qemu-system-x86
	cpio
	kmod
	e2fsprogs
	ovmf                  # UEFI firmware of the lab's systemd-boot node
	pciutils              # lspci inside the lab's nodes
	dash                  # /bin/sh inside the lab's nodes
	zstd                  # unpacks Debian 13's kernel for the lab's BIOS nodes
	debian-archive-keyring  # the lab's own apt sources (bookworm, trixie)
	ansible-core          # the inventory is checked against ansible-inventory
	python3
	time                  # tests/bench/apply.sh: CPU time and peak RSS
	man-db                # tests/package: man -w orch on the installed package
	bc
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || {
		echo "deps.sh: missing packages (${missing[*]}) and not root" >&2
		exit 1
	}
	sudo=(sudo)
fi

echo "deps.sh: installing ${missing[*]}"
apt_get() {
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confold "$@"
}
# A stale or absent package index is the usual state of a fresh machine; a
# mirror hiccup gets one more try.
for try in 1 2; do
	if apt_get update >/dev/null && apt_get install "${missing[@]}" >/dev/null; then
		exit 0
	fi
	echo "deps.sh: apt-get failed (try $try)" >&2
	sleep 5
done
exit 1
