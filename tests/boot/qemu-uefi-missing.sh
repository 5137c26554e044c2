#!/bin/sh
# QEMU + OVMF, a USB stick whose loader.cfg names a module that is not on
# it: the loader prints a clear error, frees what it had loaded (the core
# and the first module) and returns to the firmware; nothing jumps to the
# (stand-in) core. The firmware then falls back to its UEFI shell, which runs
# startup.nsh from the stick: "memmap" shows what the loader left behind.
. tests/boot/lib.sh
t_begin uefi-missing
cat >"$T_OUT/loader.cfg" <<CFG
core   /basalt/basalt.elf
module /basalt/present.bin
module /basalt/guest.bin some args
CFG
echo present >"$T_OUT/present.bin"
printf 'memmap\r\n' >"$T_OUT/startup.nsh"
scripts/mkusb.sh --cfg "$T_OUT/loader.cfg" "$T_OUT/usb.img" build/BOOTX64.EFI \
	build/efi/stub-core.elf "$T_OUT/present.bin"
MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null mcopy -i "$T_OUT/usb.img@@1M" \
	"$T_OUT/startup.nsh" ::/startup.nsh
scripts/run-qemu.sh --ovmf --usb "$T_OUT/usb.img" --serial "$T_OUT/com1.txt" \
	--timeout 40 --until '^stub: |LoaderData: ' 2>"$T_OUT/run.txt" || true
t_expect '^basalt-efi: error: cannot open \\basalt\\guest\.bin: Not Found' "error message"
t_expect 'BdsDxe: failed to start .*: Not Found' "return to the firmware"
t_expect '^ *LoaderData: +0 Pages' "freed module pages"
t_reject '^LoaderCode +0000000000[0-9A-F]{6}-' "freed core pages"
t_reject 'basalt-efi: exiting boot services' "ExitBootServices"
t_reject '^stub: ' "a jump to the core"
t_end
