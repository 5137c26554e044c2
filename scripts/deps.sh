#!/bin/sh
# Install the Debian packages Basalt needs to build and test. Idempotent:
# does nothing (and needs no network) when everything is already present.
set -eu

PKGS="build-essential binutils make gcc clang llvm libclang-rt-14-dev
      gnu-efi grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools dosfstools
      bochs bochsbios bochs-term vgabios seabios
      qemu-system-x86 ovmf ipxe-qemu busybox-static cpio gzip
      linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
