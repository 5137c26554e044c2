#!/bin/sh
# Bochs with OVMF (UEFI inside the VMX-capable emulator): GRUB-EFI boots the
# hybrid ISO and the core comes up. Bochs has no fw_cfg, so OVMF's ACPI
# tables are only found by scanning firmware memory: GRUB passes no RSDP.
. tests/boot/lib.sh
t_begin bochs-ovmf-grub
iso=$(t_iso "exit=bochs")
scripts/run-bochs.sh --iso "$iso" --ovmf --cpus 2 --out "$T_OUT" --timeout 240 \
	--until '^BASALT-DONE|PANIC|boot failed' || true
t_expect 'Basalt hypervisor .* via multiboot2' "banner"
t_expect '^basalt: boot complete: 2 CPUs online' "summary line"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC' "panic"
t_end
