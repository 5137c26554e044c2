#!/bin/sh
# The firmware tables every VM gets (vmm/fwtables.c) and the ACPI PM block
# (vmm/dev/acpi_pm.c): guest-images/acpi.c reads the RSDP, RSDT/XSDT, MADT,
# FADT, FACS, DSDT and MP table as an OS would, checks the PM timer, and
# powers off through PM1a_CNT with \_S5's SLP_TYP. Once with one vCPU, once
# with two (the tables must list both). Guest verdicts become ours
# ("PASS: guest.acpi.<check>").
. tests/boot/lib.sh
G=build/guests
t_begin acpi
iso=$(t_iso "exit=bochs" \
	--module "$G/acpi.bin" "name=acpi1 mode=long64 load=0x100000" \
	--module "$G/acpi.bin" "name=acpi2 mode=long64 load=0x100000 vcpus=2 cpus=0,1")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 300 \
	--until '^BASALT-DONE|PANIC' || true
tr -d '\r' < "$T_OUT/com1.txt" > "$T_OUT/com1.log"
sed -n 's/^\(acpi[12]\): \(PASS\|FAIL\): \(.*\)$/\2: guest.\1.\3/p' "$T_OUT/com1.log"
for n in 1 2; do
	t_expect "^acpi$n: cpus $n\$" "acpi$n: the MADT lists $n CPUs"
	t_expect "^acpi$n: PASS: acpi.pm-timer-runs" "acpi$n: PM timer runs"
	t_expect "acpi$n: stopped: ACPI S5 power-off" "acpi$n: ACPI S5 power-off"
done
t_expect 'acpi1: warning: ACPI sleep type 6 is not supported' "unsupported sleep type warned about"
t_expect 'vmm: all guests have stopped' "all guests ran"
t_reject 'FAIL|PANIC|pages not returned' "failures"
t_end
