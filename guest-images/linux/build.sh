#!/bin/sh
# Build Basalt's Linux guest images from Debian packages only, cached under
# build/linux/ (a step is skipped when its output exists and the stamp next
# to it holds the hash of its current inputs):
#   build/linux/bzImage, build/linux/vmlinux   linux-source-6.1: tinyconfig +
#                                              basalt.config, olddefconfig
#   build/linux/initramfs.cpio.gz              busybox-static + ./init
# Packages: scripts/deps.sh. Usage: guest-images/linux/build.sh [-j N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/linux
jobs=2
[ "${1:-}" = -j ] && jobs=$2
mkdir -p "$out"

die() { echo "linux-build: $*" >&2; exit 1; }
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || die "package $1 missing (scripts/deps.sh)"; }
# stamp_ok STAMP HASH FILES...: the stamp holds HASH and every file exists
stamp_ok() {
	s=$1 h=$2; shift 2
	[ -f "$s" ] && [ "$(cat "$s")" = "$h" ] || return 1
	for f; do [ -f "$f" ] || return 1; done
}

# ---- kernel ----------------------------------------------------------------
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || die "$tarball missing: install linux-source-6.1 (scripts/deps.sh)"
kver=$(pkgver linux-source-6.1)
khash=$( { echo "$kver"; cat "$here/basalt.config"; } | sha256sum | cut -d' ' -f1)
src=$out/linux-source-6.1
obj=$out/obj
if stamp_ok "$out/kernel.stamp" "$khash" "$out/bzImage" "$out/vmlinux"; then
	echo "linux-build: kernel up to date"
else
	t0=$(date +%s)
	# unpack once per package version (the tree is never written to: O=obj)
	if ! stamp_ok "$out/source.stamp" "$kver" "$src/Makefile"; then
		echo "linux-build: unpacking $tarball ($kver)"
		rm -rf "$src" "$obj"
		tar -C "$out" -xJf "$tarball"
		echo "$kver" > "$out/source.stamp"
	fi
	rm -f "$out/kernel.stamp"
	mkdir -p "$obj"
	# fixed build identity, so the same inputs give the same image
	export KBUILD_BUILD_TIMESTAMP="1970-01-01" KBUILD_BUILD_USER=basalt \
		KBUILD_BUILD_HOST=basalt KBUILD_BUILD_VERSION=1
	km() { make -s -C "$src" O="$obj" ARCH=x86_64 "$@"; }
	km tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$here/basalt.config" >/dev/null
	km olddefconfig >/dev/null
	# what we asked for must have survived olddefconfig's dependency checks
	bad=""
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qx "$line" "$obj/.config" || bad="$bad ${line%%=*}" ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$obj/.config" && bad="$bad $sym(on)" ;;
		esac
	done < "$here/basalt.config"
	[ -z "$bad" ] || die "options lost by olddefconfig:$bad (see $obj/.config)"
	echo "linux-build: make -j$jobs bzImage"
	km -j"$jobs" bzImage
	cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
	cp "$obj/vmlinux" "$out/vmlinux"
	cp "$obj/.config" "$out/config"
	echo "$khash" > "$out/kernel.stamp"
	echo "linux-build: kernel built in $(( $(date +%s) - t0 )) s"
fi

# ---- initramfs -------------------------------------------------------------
bver=$(pkgver busybox-static)
ihash=$( { echo "$bver"; cat "$here/init" "$here/tscmark.c" "$here/build.sh"; } | sha256sum | cut -d' ' -f1)
if stamp_ok "$out/initramfs.stamp" "$ihash" "$out/initramfs.cpio.gz"; then
	echo "linux-build: initramfs up to date"
else
	rm -f "$out/initramfs.stamp"
	st=$out/initramfs
	rm -rf "$st"
	mkdir -p "$st/bin" "$st/dev" "$st/proc" "$st/sys"
	cp /bin/busybox "$st/bin/busybox"
	for a in sh mount grep awk cut cat echo reboot poweroff; do
		ln -s busybox "$st/bin/$a"
	done
	cp "$here/init" "$st/init"
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -fno-pie -no-pie \
		-fno-stack-protector -fcf-protection=none -Wl,--build-id=none \
		-o "$st/bin/tscmark" "$here/tscmark.c"
	chmod 755 "$st/bin/tscmark"
	# the kernel opens /dev/console before running /init
	mknod -m 600 "$st/dev/console" c 5 1 2>/dev/null ||
		echo "linux-build: not root, no /dev/console node (init mounts devtmpfs)"
	chmod 755 "$st/init" "$st/bin/busybox" "$st/bin" "$st/dev" "$st/proc" "$st/sys" "$st"
	find "$st" -exec touch -h -d @0 {} +
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n > "$out/initramfs.cpio.gz"
	echo "$ihash" > "$out/initramfs.stamp"
	echo "linux-build: initramfs $(wc -c < "$out/initramfs.cpio.gz") bytes"
fi
ls -l "$out/bzImage" "$out/vmlinux" "$out/initramfs.cpio.gz"
