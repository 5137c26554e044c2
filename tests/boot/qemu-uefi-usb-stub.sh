#!/bin/sh
# QEMU + OVMF, USB stick with a stand-in core (tests/boot/uefi-stub-core.c)
# and three modules: the stub checks the boot_info hand-off itself (magic,
# sorted and merged memory map, image, modules and boot_info in usable
# memory, .bss zeroed, interrupts off, RSDP signature) and prints what it
# got; here we compare that with what was put on the stick. The loader.cfg
# has CR LF line ends and comments, as a stick edited on Windows might.
. tests/boot/lib.sh
t_begin uefi-usb-stub
echo hello-module >"$T_OUT/hello.bin"
seq 1 50000 >"$T_OUT/big.bin"
: >"$T_OUT/empty.bin"
printf '%s\r\n' \
	'# loader.cfg for boot.uefi-usb-stub' \
	'core    /basalt/basalt.elf   # the stub' \
	'' \
	'cmdline exit=qemu  loglevel=debug x="a b"' \
	'module  /basalt/hello.bin' \
	'module  /basalt/big.bin  arg1  arg2=x' \
	'module  /basalt/empty.bin' >"$T_OUT/loader.cfg"
scripts/mkusb.sh --cfg "$T_OUT/loader.cfg" "$T_OUT/usb.img" build/BOOTX64.EFI \
	build/efi/stub-core.elf "$T_OUT/hello.bin" "$T_OUT/big.bin" "$T_OUT/empty.bin"
scripts/run-qemu.sh --ovmf --usb "$T_OUT/usb.img" --serial "$T_OUT/com1.txt" \
	--timeout 90 --until '^stub: verdict|basalt-efi: error' 2>"$T_OUT/run.txt" || true

# module <index> <file> <name>: the stub saw the file's length, byte sum, name.
module() {
	len=$(wc -c <"$2" | tr -d ' ')
	sum=$(od -An -v -tu1 "$2" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
	t_expect "^stub: module $1 len $len sum $sum name \\[$3\\]\$" "module $1 ($3)"
}
t_expect '^basalt-efi: loaded core 0x200000-0x[0-9a-f]+, entry 0x[0-9a-f]+$' "core loaded"
t_expect '^basalt-efi: exiting boot services' "ExitBootServices"
t_expect '^stub: loader \[basalt-efi [^]]+\] cmdline \[exit=qemu  loglevel=debug x="a b"\]$' \
	"cmdline"
module 0 "$T_OUT/hello.bin" '/basalt/hello.bin'
module 1 "$T_OUT/big.bin" '/basalt/big.bin  arg1  arg2=x'
module 2 "$T_OUT/empty.bin" '/basalt/empty.bin'
t_reject '^stub: module 3 ' "a fourth module"
t_expect '^stub: rsdp 0x[1-9a-f][0-9a-f]* fb 0x[1-9a-f]' "rsdp and framebuffer"
t_expect '^stub: verdict PASS$' "the stub's verdict"
t_reject '^stub: problem|basalt-efi: error' "problems"
t_end
