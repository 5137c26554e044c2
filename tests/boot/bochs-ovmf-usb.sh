#!/bin/sh
# Bochs with OVMF (the VMX-capable emulator): the USB image's FAT32 system
# partition as an ATA disk. BOOTX64.EFI loads the core, which comes up with
# VT-x: the UEFI loader path end to end on a CPU with VMX.
. tests/boot/lib.sh
t_begin bochs-ovmf-usb
scripts/mkusb.sh --cmdline "exit=bochs" "$T_OUT/usb.img" build/BOOTX64.EFI build/basalt.elf
scripts/run-bochs.sh --disk "$T_OUT/usb.img" --ovmf --cpus 1 --out "$T_OUT" --timeout 240 \
	--until '^BASALT-DONE|PANIC|boot failed|basalt-efi: error' || true
t_expect '^basalt-efi: exiting boot services' "ExitBootServices"
t_expect 'Basalt hypervisor .* via UEFI' "banner"
t_expect 'vmx: VT-x rev' "VT-x"
t_expect '^basalt: boot complete: 1 CPU online' "summary line"
t_reject 'PANIC|basalt-efi: error' "errors"
t_end
