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

exit $rc
