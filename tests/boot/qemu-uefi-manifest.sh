#!/bin/sh
# QEMU + OVMF, the boot manifest through the UEFI loader (loader.cfg
# "manifest /NAME.manifest"):
#  1. scripts/mkimage.sh --usb builds the stick for
#     docs/examples/test-lifecycle.manifest: the loader parses the manifest
#     and loads it and each file it names; the core lists them as its boot
#     modules under their manifest paths. (QEMU has no VT-x: the core stops
#     after boot, before it would start the VMs.)
#  2. A stick whose manifest has syntax errors: the loader prints every
#     "file:line: message", loads nothing and returns to the firmware; it
#     never jumps to the (stand-in) core.
. tests/boot/lib.sh
rc=0

# loaded PATH: the loader loaded /PATH of the stick as module /PATH, all of
# it (the stick's copy: build/ may be rebuilt meanwhile).
loaded() {
	rm -f "$T_OUT/file"
	MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null mcopy -i "$T_OUT/usb.img@@1M" "::/$1" \
		"$T_OUT/file" 2>/dev/null || T_FAILS="$T_FAILS; /$1 not on the stick"
	t_expect "^basalt-efi: module /$1 at 0x[0-9a-f]+, $(wc -c <"$T_OUT/file" | tr -d ' ') bytes\$" \
		"loader: module /$1"
}

t_begin uefi-manifest
scripts/mkimage.sh docs/examples/test-lifecycle.manifest --root build --cmdline "exit=qemu" \
	--out "$T_OUT/basalt.iso" --usb "$T_OUT/usb.img" >"$T_OUT/mkimage.txt" 2>&1 ||
	T_FAILS="$T_FAILS; mkimage failed: $(cat "$T_OUT/mkimage.txt")"
scripts/run-qemu.sh --ovmf --usb "$T_OUT/usb.img" --serial "$T_OUT/com1.txt" \
	--timeout 90 --until '^BASALT-DONE|basalt-efi: error|PANIC' 2>"$T_OUT/run.txt" || true
t_expect '^basalt-efi: manifest \\test-lifecycle\.manifest: 3 VMs, 3 files to load$' \
	"loader: manifest parsed"
loaded test-lifecycle.manifest
loaded guests/triple.bin
loaded guests/mb32.elf
loaded guests/printer.bin
t_expect '^basalt-efi: exiting boot services' "ExitBootServices"
t_expect 'basalt: module 0: 0x[0-9a-f]+-0x[0-9a-f]+ /test-lifecycle\.manifest$' "core: module 0"
t_expect 'basalt: module 1: 0x[0-9a-f]+-0x[0-9a-f]+ /guests/triple\.bin$' "core: module 1"
t_expect 'basalt: module 2: 0x[0-9a-f]+-0x[0-9a-f]+ /guests/mb32\.elf$' "core: module 2"
t_expect 'basalt: module 3: 0x[0-9a-f]+-0x[0-9a-f]+ /guests/printer\.bin$' "core: module 3"
t_reject 'basalt: module 4: ' "a fifth module"
t_expect '^basalt: boot complete' "core: end of boot"
t_reject 'basalt-efi: error|PANIC' "errors"
t_end || rc=1

t_begin uefi-manifest-bad
cat >"$T_OUT/bad.manifest" <<'M'
# A manifest with syntax errors: the loader must not boot it.
[vm.one]
memory = 8M
kernel = guests/mb32.elf
[vm.two]
memroy = 8M
kernel = "guests/mb32.elf"
M
scripts/mkusb.sh --cmdline "exit=qemu" --manifest "$T_OUT/bad.manifest" bad.manifest \
	--file build/guests/mb32.elf guests/mb32.elf "$T_OUT/usb.img" build/BOOTX64.EFI \
	build/efi/stub-core.elf
scripts/run-qemu.sh --ovmf --usb "$T_OUT/usb.img" --serial "$T_OUT/com1.txt" \
	--timeout 60 --until 'BdsDxe: failed to start|^stub: ' 2>"$T_OUT/run.txt" || true
t_expect "^bad\.manifest:4: kernel: expected a string in double quotes, got 'guests/mb32\.elf'\$" \
	"message for line 4"
t_expect "^bad\.manifest:6: unknown key 'memroy' in \[vm\.two\]; did you mean 'memory'\?\$" \
	"message for line 6"
t_expect "^bad\.manifest:5: vm 'two': missing required key 'memory'\$" "message for line 5"
t_expect '^basalt-efi: error: \\bad\.manifest: the manifest has errors: not booting$' \
	"the loader's error"
t_expect 'BdsDxe: failed to start .*: Invalid Parameter' "return to the firmware"
t_reject '^basalt-efi: (loaded core|module )' "something loaded"
t_reject 'basalt-efi: exiting boot services' "ExitBootServices"
t_reject '^stub: ' "a jump to the core"
t_end || rc=1
exit $rc
