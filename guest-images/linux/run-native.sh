#!/bin/sh
# Boot the minimal Linux guest natively in Bochs (no Basalt): GRUB `linux` /
# `initrd` from build/linux/native.iso, the command line HARNESS.md advises.
# This is the baseline the Basalt boot is compared with.
#   guest-images/linux/run-native.sh [--cpus N] [--megs MB] [--timeout SECS]
#       [--cmdline EXTRA] [--entry-stub]
# --entry-stub: GRUB loads the same files but enters entry-stub.S (multiboot2),
# which prints "BASALT-ENTRY tsc=N": about when GRUB would have entered Linux.
# Builds the images first (cached). COM1 log: build/linux/native/com1.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/linux
cpus=1 megs=256 timeout=600 extra="" stub=0
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) cpus=$2; shift 2 ;;
	--megs) megs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--cmdline) extra=" $2"; shift 2 ;;
	--entry-stub) stub=1; shift ;;
	*) echo "run-native: unknown argument $1" >&2; exit 2 ;;
	esac
done
"$here/build.sh" >/dev/null

# GRUB on COM1 too, no menu delay; then straight into the kernel
iso=$out/isodir
rm -rf "$iso"
mkdir -p "$iso/boot/grub"
cp "$out/bzImage" "$out/initramfs.cpio.gz" "$iso/boot/"
cat > "$iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Basalt Linux guest (native)" {
	linux /boot/bzImage console=ttyS0,115200 io_delay=none$extra
	initrd /boot/initramfs.cpio.gz
	boot
}
CFG
until='^uptime=|Kernel panic'
if [ $stub = 1 ]; then
	gcc -m32 -nostdlib -static -no-pie -Wl,-Ttext=0x200000,--build-id=none,-e,_start \
		-Wl,-z,noexecstack -o "$iso/boot/entry-stub" "$here/entry-stub.S"
	sed -i -e 's|^\tlinux /boot/bzImage.*|\tmultiboot2 /boot/entry-stub|' \
		-e 's|^\tinitrd \(.*\)|\tmodule2 --nounzip /boot/bzImage\n\tmodule2 --nounzip \1|' \
		"$iso/boot/grub/grub.cfg"
	until='^BASALT-ENTRY'
fi
grub-mkrescue -o "$out/native.iso" "$iso" >"$out/grub-mkrescue.log" 2>&1 ||
	{ cat "$out/grub-mkrescue.log" >&2; exit 1; }

t0=$(date +%s)
status=0
(cd "$root" && scripts/run-bochs.sh --iso "$out/native.iso" --cpus "$cpus" \
	--megs "$megs" --out "$out/native" --timeout "$timeout" \
	--until "$until") || status=$?
log=$out/native/com1.txt
echo "run-native: bochs ran $(( $(date +%s) - t0 )) s wall, status $status"
# evidence: Bochs's TSC counts instructions, so the kernel's printk times and
# /proc/uptime (TSC clocksource) are deterministic tick counts in disguise
tr -d '\r' < "$log" | grep -E 'tsc:|clocksource|Run /init|BASALT-LINUX-INIT|BASALT-ENTRY|^cpus=|^uptime=|Kernel panic' || true
[ $stub = 1 ] && { tr -d '\r' < "$log" | grep -q '^BASALT-ENTRY' || exit 1; exit 0; }
# printk time of "Run /init" x TSC MHz = TSC ticks since the TSC was reset
tr -d '\r' < "$log" | awk '/tsc: Detected .* MHz TSC/ { mhz = $(NF-2) }
	/Run \/init/ { t = substr($2, 1, length($2) - 1) }
	END { if (mhz && t) printf "run-native: /init at %.0f M TSC ticks (%s s x %s MHz)\n", t * mhz, t, mhz }'
tr -d '\r' < "$log" | grep -q '^BASALT-LINUX-INIT' || { echo "run-native: no init marker (see $log)"; exit 1; }
