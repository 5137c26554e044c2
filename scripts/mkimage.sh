#!/bin/sh
# Build the boot media for a manifest: users write the manifest, this puts
# it and every file it names on the ISO (GRUB module2 lines generated here).
#   scripts/mkimage.sh MANIFEST [--root DIR] [--out FILE.iso] [--cmdline "..."]
# Files are looked up under DIR (default: the manifest's directory) and keep
# their manifest paths on the image. The manifest is checked first with
# build/basalt-check, the parser the hypervisor itself uses: an invalid
# manifest builds nothing.
set -eu
manifest="$1"; shift
root=$(dirname "$manifest") out=build/basalt.iso cmdline="${BASALT_CMDLINE:-}"
while [ $# -gt 0 ]; do
	case "$1" in
	--root) root="$2"; shift 2 ;;
	--out) out="$2"; shift 2 ;;
	--cmdline) cmdline="$2"; shift 2 ;;
	*) echo "mkimage: unknown argument $1" >&2; exit 2 ;;
	esac
done
check=build/basalt-check
[ -x "$check" ] || { echo "mkimage: $check missing: run make first" >&2; exit 2; }
"$check" "$manifest" --root "$root" > /dev/null || exit 1
set -- --cmdline "$cmdline" --file "$manifest" "$(basename "$manifest")"
for f in $("$check" "$manifest" --root "$root" --files); do
	set -- "$@" --file "$root/$f" "$f"
done
scripts/mkiso.sh "$out" build/basalt.elf "$@"
echo "mkimage: $out: $(basename "$manifest") and $(( ($# - 3) / 3 )) files"
