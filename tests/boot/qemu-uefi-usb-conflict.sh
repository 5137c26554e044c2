#!/bin/sh
# QEMU + OVMF, a core linked where the firmware keeps ACPI NVS memory
# (0x806000 in OVMF): the loader refuses to load it, names the range and
# who holds it, and returns to the firmware; nothing jumps to the core.
. tests/boot/lib.sh
t_begin uefi-usb-conflict
scripts/mkusb.sh --cmdline "exit=qemu" "$T_OUT/usb.img" build/BOOTX64.EFI \
	build/efi/stub-core-800000.elf
scripts/run-qemu.sh --ovmf --usb "$T_OUT/usb.img" --serial "$T_OUT/com1.txt" \
	--timeout 40 --until '^stub: |BdsDxe: failed to start' 2>"$T_OUT/run.txt" || true
t_expect '^basalt-efi: error: core memory 0x800000-0x[0-9a-f]+fff is not free: Not Found' \
	"error naming the range"
t_expect '^basalt-efi: +0x806000-0x807fff is ACPIMemoryNVS' "the firmware's region"
t_expect '^basalt-efi: +largest free range below 4 GiB: 0x' "a hint where memory is free"
t_expect 'BdsDxe: failed to start .*: Not Found' "return to the firmware"
t_reject '^stub: ' "a jump to the core"
t_end
