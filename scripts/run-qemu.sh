#!/bin/sh
# Run QEMU (TCG) headless, COM1 into a file, until a pattern or a timeout.
#
#   scripts/run-qemu.sh --serial OUT.txt --timeout SECS [--until REGEX] [--ovmf]
#                       [--usb IMG | --iso ISO | --disk IMG] [-- extra qemu args]
#
#   --until REGEX  stop QEMU as soon as COM1 output matches (grep -E)
#   --ovmf         UEFI firmware (OVMF); default: SeaBIOS
#   --usb IMG      IMG as a USB stick on an xHCI controller (first boot device)
#   --iso ISO      ISO as a CD-ROM on the q35 AHCI controller
#   --disk IMG     IMG as a SATA disk
#
# Exits 0 when REGEX was seen, or (without --until) when QEMU exited by
# itself in time; 1 otherwise. The last line on stderr says what happened
# and when ("run-qemu: matched after 4.2 s"). QEMU's own output goes to
# qemu.log next to OUT.txt; OVMF's variable store is a fresh copy there.
# Disk images are opened with snapshot=on: a run never changes them.
#
# The whole run holds an exclusive flock on /tmp/basalt-emu.lock, so that
# emulators (QEMU, Bochs) never compete for this machine's two cores.
set -eu

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
LOCK=/tmp/basalt-emu.lock

usage() {
	echo "usage: $0 --serial OUT --timeout SECS [--until REGEX] [--ovmf]" \
		"[--usb IMG | --iso ISO | --disk IMG] [-- qemu args]" >&2
	exit 2
}

serial= timeout= until= ovmf= media=
while [ $# -gt 0 ]; do
	case $1 in
	--serial) [ $# -ge 2 ] || usage; serial=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--until) [ $# -ge 2 ] || usage; until=$2; shift 2 ;;
	--ovmf) ovmf=1; shift ;;
	--usb) [ $# -ge 2 ] || usage; media="usb $2"; shift 2 ;;
	--iso) [ $# -ge 2 ] || usage; media="iso $2"; shift 2 ;;
	--disk) [ $# -ge 2 ] || usage; media="disk $2"; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ -n "$serial" ] && [ -n "$timeout" ] || usage
case $timeout in '' | *[!0-9]*) usage ;; esac

dir=$(dirname "$serial")
mkdir -p "$dir"
: >"$serial"

set -- -machine q35 -m 512 -display none -nic none -no-reboot \
	-serial "file:$serial" -device isa-debug-exit,iobase=0xf4,iosize=4 "$@"
if [ -n "$ovmf" ]; then
	cp "$OVMF_VARS" "$dir/OVMF_VARS.fd"
	set -- -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd" "$@"
fi
if [ -n "$media" ]; then
	file=${media#* }
	[ -f "$file" ] || { echo "run-qemu: no such file: $file" >&2; exit 1; }
	case $media in
	usb*) set -- -device qemu-xhci,id=xhci \
		-drive "if=none,id=boot,format=raw,snapshot=on,file=$file" \
		-device usb-storage,bus=xhci.0,drive=boot,bootindex=0 "$@" ;;
	iso*) set -- -drive "if=none,id=boot,format=raw,media=cdrom,readonly=on,file=$file" \
		-device ide-cd,bus=ide.0,drive=boot,bootindex=0 "$@" ;;
	disk*) set -- -drive "if=none,id=boot,format=raw,snapshot=on,file=$file" \
		-device ide-hd,bus=ide.0,drive=boot,bootindex=0 "$@" ;;
	esac
fi

exec 9>"$LOCK"
flock 9

now() { date +%s%N; }
elapsed() { t=$(((end - start) / 100000000)); echo "$((t / 10)).$((t % 10)) s"; }
seen() { [ -n "$until" ] && grep -aqE -- "$until" "$serial"; }

start=$(now)
deadline=$((start + timeout * 1000000000))
qemu-system-x86_64 "$@" </dev/null >"$dir/qemu.log" 2>&1 9>&- &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
trap 'exit 1' INT TERM HUP
result=timeout
while :; do
	if seen; then result=matched; break; fi
	if ! kill -0 "$pid" 2>/dev/null; then result=exited; break; fi
	if [ "$(now)" -ge "$deadline" ]; then break; fi
	sleep 0.1
done
end=$(now)
kill "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?

if [ "$result" = exited ] && seen; then result=matched; fi
case $result in
matched) echo "run-qemu: matched after $(elapsed)" >&2; exit 0 ;;
exited)
	echo "run-qemu: qemu exited (status $status) after $(elapsed)" >&2
	[ -z "$until" ] && exit 0
	exit 1 ;;
*) echo "run-qemu: timeout after $(elapsed)" >&2; exit 1 ;;
esac
