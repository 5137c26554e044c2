#!/bin/sh
# Bochs BIOS, two CPUs, acpi=off: the CPUs come from the MP table instead
# (the fallback for machines without usable ACPI). SeaBIOS lists only the
# boot CPU in its MP table, so this runs on the Bochs BIOS.
. tests/boot/lib.sh
t_begin bochs-bios-mptable
iso=$(t_iso "exit=bochs acpi=off")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 120 \
	--until '^BASALT-DONE|PANIC|boot failed' || true
t_expect 'platform: acpi=off: ignoring ACPI tables' "ACPI skipped"
t_expect 'platform: MP table: 2 CPUs, 1 IOAPIC' "MP table"
t_expect 'smp: cpu1 \(APIC id 1\) online' "AP online"
t_expect '^basalt: boot complete: 2 CPUs online' "summary line"
t_reject 'PANIC' "panic"
t_end
