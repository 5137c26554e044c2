#!/bin/sh
# QEMU + OVMF, a USB stick whose loader.cfg names a module that is not on
# it: the loader says so clearly and returns to the firmware; nothing jumps
# to the (stand-in) core.
. tests/boot/lib.sh
t_begin uefi-missing
cat >"$T_OUT/loader.cfg" <<CFG
core   /basalt/basalt.elf
module /basalt/present.bin
module /basalt/guest.bin some args
CFG
echo present >"$T_OUT/present.bin"
scripts/mkusb.sh --cfg "$T_OUT/loader.cfg" "$T_OUT/usb.img" build/BOOTX64.EFI \
	build/efi/stub-core.elf "$T_OUT/present.bin"
# After the error the loader waits 3 s and returns; give whatever the
# firmware boots next a few seconds to show that it is not our core.
scripts/run-qemu.sh --ovmf --usb "$T_OUT/usb.img" --serial "$T_OUT/com1.txt" \
	--timeout 15 --until '^stub: ' 2>"$T_OUT/run.txt" || true
t_expect '^basalt-efi: error: cannot open \\basalt\\guest\.bin: Not Found' "error message"
t_reject 'basalt-efi: exiting boot services' "ExitBootServices"
t_reject '^stub: ' "a jump to the core"
t_end
