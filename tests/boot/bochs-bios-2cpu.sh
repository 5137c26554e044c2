#!/bin/sh
# Bochs, BIOS + GRUB ISO, two CPUs: the AP starts with INIT-SIPI-SIPI and
# reports in; a CPU listed but absent (smp.fake_cpu) is reported and skipped.
. tests/boot/lib.sh
t_begin bochs-bios-2cpu
iso=$(t_iso "exit=bochs smp.fake_cpu=7")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 120 \
	--until '^BASALT-DONE|PANIC|boot failed' || true
t_expect 'platform: ACPI: 2 CPUs' "two CPUs in the MADT"
t_expect 'smp: cpu1 \(APIC id 1\) online' "AP online"
t_expect 'APIC id 7 did not answer INIT-SIPI-SIPI; continuing without it' "absent CPU reported"
t_expect 'smp: 2 of 3 CPUs online' "count"
t_expect '^basalt: boot complete: 2 CPUs online' "summary line"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC' "panic"
t_end
