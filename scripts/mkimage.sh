#!/bin/sh
# Build the boot media for a manifest: users write the manifest, this puts
# it and every file it names on the ISO (GRUB module2 lines generated here),
# and with --usb on a USB image for the UEFI loader too.
#   scripts/mkimage.sh MANIFEST [--root DIR] [--out FILE.iso] [--usb FILE.img]
#                      [--cmdline "..."]
# Files are looked up under DIR (default: the manifest's directory) and keep
# their manifest paths on the image; the manifest goes to the root, under
# its own name. The manifest is checked first with build/basalt-check, the
# parser the hypervisor itself uses: an invalid manifest builds nothing.
# --usb FILE.img also builds a USB image (scripts/mkusb.sh, the loader
# build/BOOTX64.EFI) whose loader.cfg says "manifest /NAME.manifest": the
# loader reads the manifest and loads it and the files it names.
set -eu
manifest="$1"; shift
root=$(dirname "$manifest") out=build/basalt.iso usb= cmdline="${BASALT_CMDLINE:-}"
while [ $# -gt 0 ]; do
	case "$1" in
	--root) root="$2"; shift 2 ;;
	--out) out="$2"; shift 2 ;;
	--usb) usb="$2"; shift 2 ;;
	--cmdline) cmdline="$2"; shift 2 ;;
	*) echo "mkimage: unknown argument $1" >&2; exit 2 ;;
	esac
done
name=$(basename "$manifest")
case $name in
*.manifest) ;;
*) echo "mkimage: $name: the core finds the manifest by its name, which must end in .manifest" >&2
	exit 2 ;;
esac
check=build/basalt-check
[ -x "$check" ] || { echo "mkimage: $check missing: run make first" >&2; exit 2; }
[ -z "$usb" ] || [ -f build/BOOTX64.EFI ] ||
	{ echo "mkimage: build/BOOTX64.EFI missing: run make first" >&2; exit 2; }
"$check" "$manifest" --root "$root" > /dev/null || exit 1
# Each file once, without the leading '/' a manifest path may have.
files=$("$check" "$manifest" --root "$root" --files | sed 's|^/*||' | awk '!seen[$0]++')
nr=$(printf '%s\n' $files | grep -c . || true)

set -- --cmdline "$cmdline" --file "$manifest" "$name"
for f in $files; do
	set -- "$@" --file "$root/$f" "$f"
done
scripts/mkiso.sh "$out" build/basalt.elf "$@"
echo "mkimage: $out: $name and $nr files"
[ -n "$usb" ] || exit 0

# The USB image: 64 MiB, or room for the files and the FAT (1/128 of the
# clusters) with some to spare.
bytes=$(cat build/BOOTX64.EFI build/basalt.elf "$manifest" $(for f in $files; do
	echo "$root/$f"; done) | wc -c)
mib=$(( (bytes + 1048575) / 1048576 ))
size=$(( mib + mib / 64 + 24 ))
[ "$size" -ge 64 ] || size=64
set -- --cmdline "$cmdline" --size "$size" --manifest "$manifest" "$name"
for f in $files; do
	set -- "$@" --file "$root/$f" "$f"
done
scripts/mkusb.sh "$@" "$usb" build/BOOTX64.EFI build/basalt.elf
echo "mkimage: $usb: $name and $nr files, loader.cfg: manifest /$name"
