#!/bin/sh
# Bochs, BIOS + GRUB ISO, one CPU: the core reaches the end of boot, finds
# its memory and ACPI, and powers off through the Bochs shutdown port.
. tests/boot/lib.sh
t_begin bochs-bios-1cpu
iso=$(t_iso "exit=bochs")
scripts/run-bochs.sh --iso "$iso" --cpus 1 --out "$T_OUT" --timeout 120 \
	--until '^BASALT-DONE|PANIC|boot failed' || true
t_expect 'Basalt hypervisor .* via multiboot2' "banner"
t_expect 'platform: ACPI: 1 CPU, 1 IOAPIC, power-off ACPI S5' "ACPI summary"
t_expect 'paging: identity map .* W\^X$' "W^X page tables"
t_expect '^basalt: boot complete: 1 CPU online, 511 MiB usable memory' "summary line"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC|error:' "errors"
t_end
