#!/bin/sh
# QEMU boot paths without VT-x: GRUB-EFI on OVMF booting the hybrid ISO,
# and SMP with four CPUs from the ACPI MADT.
. tests/boot/lib.sh
rc=0

t_begin qemu-uefi-iso
iso=$(t_iso "exit=qemu")
scripts/run-qemu.sh --ovmf --iso "$iso" --serial "$T_OUT/com1.txt" --timeout 120 \
	--until '^BASALT-DONE|PANIC|boot failed' 2>"$T_OUT/run.txt" || true
t_expect 'Basalt hypervisor .* via multiboot2' "banner"
t_expect 'platform: ACPI: 1 CPU' "ACPI from GRUB-EFI's RSDP copy"
t_expect '^basalt: boot complete: 1 CPU online' "summary line"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC' "panic"
t_end || rc=1

t_begin qemu-bios-smp4
iso=$(t_iso "exit=qemu")
scripts/run-qemu.sh --iso "$iso" --serial "$T_OUT/com1.txt" --timeout 90 \
	--until '^BASALT-DONE|PANIC|boot failed' -- -smp 4 2>"$T_OUT/run.txt" || true
t_expect 'platform: ACPI: 4 CPUs' "four CPUs in the MADT"
t_expect 'smp: cpu3 \(APIC id 3\) online' "last AP online"
t_expect '^basalt: boot complete: 4 CPUs online' "summary line"
t_reject 'PANIC|did not answer' "errors"
t_end || rc=1


# QEMU's TCG has no VT-x: Basalt says what is missing in one line and
# powers off. No emulator exit: QEMU must stop because Basalt wrote
# SLP_TYP|SLP_EN for \_S5 to PM1a_CNT (q35: 0x604).
t_begin qemu-no-vtx-acpi-poweroff
iso=$(t_iso "")
scripts/run-qemu.sh --iso "$iso" --serial "$T_OUT/com1.txt" --timeout 90 \
	2>"$T_OUT/run.txt" || true
t_expect 'power-off ACPI S5, reset FADT register' "FADT power-off and reset registers"
t_expect 'vmx: error: this CPU has no VT-x \(VMX\): Basalt cannot run guests on it' "no-VT-x line"
t_reject 'vmm: ' "VMM started without VT-x"
t_expect '^basalt: powering off' "power-off"
grep -q 'qemu exited (status 0)' "$T_OUT/run.txt" ||
	T_FAILS="$T_FAILS; QEMU did not power off ($(cat "$T_OUT/run.txt"))"
t_end || rc=1

# on_done=reboot: reset through the FADT reset register; -no-reboot turns
# the reset into QEMU's exit, so exactly one boot happens.
t_begin qemu-reset
iso=$(t_iso "on_done=reboot")
scripts/run-qemu.sh --iso "$iso" --serial "$T_OUT/com1.txt" --timeout 90 \
	2>"$T_OUT/run.txt" || true
t_expect '^basalt: resetting' "reset"
[ "$(grep -c 'Basalt hypervisor' "$T_OUT/com1.txt")" = 1 ] ||
	T_FAILS="$T_FAILS; expected exactly one boot"
grep -q 'qemu exited (status 0)' "$T_OUT/run.txt" ||
	T_FAILS="$T_FAILS; QEMU did not reset ($(cat "$T_OUT/run.txt"))"
t_reject 'halted' "fell through to halt"
t_end || rc=1
exit $rc
