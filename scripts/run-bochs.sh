#!/bin/sh
# Run Basalt headless in Bochs (the only VMX-capable emulator here).
#
#   scripts/run-bochs.sh (--iso ISO | --disk IMG) [--cpus N] [--model M] [--ovmf]
#       [--megs MB] [--out DIR] [--timeout SECS] [--until REGEX] [--console]
#       [--com1-socket PORT]
#
# COM1 goes to DIR/com1.txt (default DIR: build/run-bochs). With --until, Bochs
# is stopped as soon as a COM1 line matches REGEX and the exit status says
# whether it matched (0) or not (1); without it, the run ends when Bochs does
# (or at the timeout) with status 0. --console copies COM1 to stdout live.
# --com1-socket makes COM1 a TCP server on 127.0.0.1:PORT instead of a file
# (Bochs waits for the client; the caller talks to it and records it).
# Only one emulator runs at a time on this machine: we hold
# /tmp/basalt-emu.lock for the whole run.
set -eu

media="" kind="" cpus=1 model=corei7_skylake_x ovmf=0 megs=512
out=build/run-bochs timeout=120 until="" console=0 socket=""
while [ $# -gt 0 ]; do
	case "$1" in
	--iso) media="$2"; kind=cdrom; shift 2 ;;
	--disk) media="$2"; kind=disk; shift 2 ;;
	--cpus) cpus="$2"; shift 2 ;;
	--model) model="$2"; shift 2 ;;
	--ovmf) ovmf=1; shift ;;
	--megs) megs="$2"; shift 2 ;;
	--out) out="$2"; shift 2 ;;
	--timeout) timeout="$2"; shift 2 ;;
	--until) until="$2"; shift 2 ;;
	--console) console=1; shift ;;
	--com1-socket) socket="$2"; shift 2 ;;
	*) echo "run-bochs: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$media" ] || { echo "run-bochs: need --iso or --disk" >&2; exit 2; }
mkdir -p "$out"
serial="$out/com1.txt"
: > "$serial"

if [ "$ovmf" = 1 ]; then
	rom="romimage: file=/usr/share/ovmf/OVMF.fd, address=0xffe00000"
else
	rom="romimage: file=/usr/share/bochs/BIOS-bochs-latest"
fi
if [ "$kind" = cdrom ]; then
	drive="ata0-master: type=cdrom, path=$media, status=inserted"
	boot="boot: cdrom"
else
	rm -f "$media.lock"
	drive="ata0-master: type=disk, path=$media, mode=flat"
	boot="boot: disk"
fi
com1="com1: enabled=1, mode=file, dev=$serial"
[ -n "$socket" ] && com1="com1: enabled=1, mode=socket-server, dev=127.0.0.1:$socket"
cat > "$out/bochsrc" <<RC
megs: $megs
cpu: model=$model, count=$cpus, ips=10000000, reset_on_triple_fault=0
$rom
vgaromimage: file=/usr/share/vgabios/vgabios.bin
pci: enabled=1, chipset=i440fx
$drive
$boot
$com1
log: $out/bochs.log
panic: action=fatal
error: action=report
speaker: enabled=0
sound: driver=dummy
clock: sync=none, time0=946684800
display_library: rfb, options="timeout=0"
RC
printf 'c\nquit\n' > "$out/cmds"

exec 9>/tmp/basalt-emu.lock
flock 9
timeout "$timeout" bochs -q -f "$out/bochsrc" -rc "$out/cmds" </dev/null \
	>"$out/bochs.stdout" 2>&1 &
pid=$!
[ "$console" = 1 ] && { tail -n +1 -f "$serial" & tailpid=$!; } || tailpid=""

status=0
if [ -n "$until" ]; then
	status=1
	while kill -0 "$pid" 2>/dev/null; do
		if grep -Eq "$until" "$serial"; then status=0; break; fi
		sleep 0.2
	done
	grep -Eq "$until" "$serial" && status=0
	kill "$pid" 2>/dev/null || true
fi
wait "$pid" 2>/dev/null || true
pkill -P $$ bochs 2>/dev/null || true
[ -n "$tailpid" ] && { sleep 0.3; kill "$tailpid" 2>/dev/null || true; }
exit $status
