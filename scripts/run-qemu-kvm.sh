#!/bin/sh
# The fast path on an Intel host with nested virtualization: Basalt under
# QEMU/KVM with the host CPU's VT-x passed through (-cpu host).
#   scripts/run-qemu-kvm.sh [ISO] [extra qemu args...]
# Serial console on this terminal; Ctrl-A X quits QEMU.
set -eu
iso="${1:-build/basalt.iso}"
[ $# -gt 0 ] && shift
[ -f "$iso" ] || { echo "run-qemu-kvm: $iso not found (run make first)" >&2; exit 1; }
[ -w /dev/kvm ] || { echo "run-qemu-kvm: /dev/kvm is missing or not writable" >&2; exit 1; }
nested=/sys/module/kvm_intel/parameters/nested
if [ ! -r "$nested" ] || ! grep -qi '^[y1]' "$nested"; then
	echo "run-qemu-kvm: nested VMX is off: modprobe kvm_intel nested=1" >&2
	exit 1
fi
exec qemu-system-x86_64 -accel kvm -cpu host -machine q35 -smp 2 -m 1G \
	-display none -serial mon:stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -cdrom "$iso" "$@"
