#!/bin/sh
# Bochs with OVMF (UEFI inside the VMX-capable emulator): GRUB-EFI boots the
# hybrid ISO and the core comes up with VT-x. GRUB passes no RSDP here, so
# the core finds it by scanning the ACPI memory OVMF reports; OVMF without
# QEMU's fw_cfg publishes no MADT, so the core runs on the boot CPU and
# says so.
. tests/boot/lib.sh
t_begin bochs-ovmf-grub
iso=$(t_iso "exit=bochs")
scripts/run-bochs.sh --iso "$iso" --ovmf --cpus 1 --out "$T_OUT" --timeout 240 \
	--until '^BASALT-DONE|PANIC|boot failed' || true
t_expect 'Basalt hypervisor .* via multiboot2' "banner"
t_expect 'acpi: warning: no MADT' "RSDP found by scanning ACPI memory"
t_expect 'running on the boot CPU only' "fallback stated"
t_expect 'vmx: VT-x rev' "VT-x under UEFI"
t_expect '^basalt: boot complete: 1 CPU online' "summary line"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC' "panic"
t_end
