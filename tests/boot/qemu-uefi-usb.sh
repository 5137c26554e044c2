#!/bin/sh
# QEMU + OVMF, build/basalt-usb.img as a USB stick on xHCI: BOOTX64.EFI
# reads loader.cfg, loads the core and hands over; the core reaches the end
# of boot.
. tests/boot/lib.sh
t_begin uefi-usb
scripts/run-qemu.sh --ovmf --usb build/basalt-usb.img --serial "$T_OUT/com1.txt" \
	--timeout 90 --until '^basalt: boot complete|basalt-efi: error|PANIC' \
	2>"$T_OUT/run.txt" || true
t_expect '^basalt-efi: loaded core 0x[0-9a-f]+-0x[0-9a-f]+, entry 0x[0-9a-f]+' "core loaded"
t_expect '^basalt-efi: exiting boot services' "ExitBootServices"
t_expect 'Basalt hypervisor .* via UEFI' "core banner"
t_expect '^basalt: boot complete' "summary line"
t_reject 'basalt-efi: error|PANIC' "errors"
t_end
