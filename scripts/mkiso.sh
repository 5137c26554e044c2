#!/bin/sh
# Build a hybrid BIOS+UEFI GRUB ISO (dd-able to a USB stick) that boots the
# Basalt core through multiboot2.
#   scripts/mkiso.sh OUT.iso CORE.elf [--cmdline "..."] [--module FILE [ARGS]]...
#                    [--file SRC DEST]...
# --module puts FILE at /basalt/NAME with the module string "/basalt/NAME ARGS";
# --file puts SRC at /DEST, loaded as a module whose string is "/DEST" (the
# boot manifest and the files it names keep their paths this way).
# The core command line defaults to $BASALT_CMDLINE (empty if unset).
set -eu
out="$1"; core="$2"; shift 2
cmdline="${BASALT_CMDLINE:-}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/basalt-iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
work="$tmp/root"
mkdir -p "$work/boot/grub" "$work/basalt"
cp "$core" "$work/basalt/basalt.elf"
mods=""
while [ $# -gt 0 ]; do
	case "$1" in
	--cmdline) cmdline="$2"; shift 2 ;;
	--module)
		name=$(basename "$2")
		cp "$2" "$work/basalt/$name"
		mods="$mods
	module2 /basalt/$name /basalt/$name${3:+ $3}"
		shift 3 2>/dev/null || shift $# ;;
	--file)
		mkdir -p "$work/$(dirname "$3")"
		cp "$2" "$work/$3"
		mods="$mods
	module2 /$3 /$3"
		shift 3 ;;
	*) echo "mkiso: unknown argument $1" >&2; exit 2 ;;
	esac
done
cat > "$work/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Basalt" {
	multiboot2 /basalt/basalt.elf $cmdline$mods
	boot
}
CFG
grub-mkrescue -o "$out" "$work" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
