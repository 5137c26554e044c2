/* SPDX-License-Identifier: MIT */
/*
 * The firmware tables every VM gets: an Intel MP table (MP spec 1.4) and
 * ACPI tables (RSDP, RSDT, XSDT, FADT, FACS, MADT, DSDT), describing the
 * small PC a Basalt VM is:
 *
 *   CPUs       vCPU i has local APIC ID i, all enabled, vCPU 0 the BSP
 *   LAPIC      0xfee00000
 *   IOAPIC     ID = nr_vcpus, 0xfec00000, 24 pins, GSI base 0
 *   ISA IRQs   IRQ n -> IOAPIC pin n (edge, active high), except the SCI:
 *              IRQ 9 level, active high (an override in both tables)
 *   8259 PICs  present (virtual-wire: LINT0 ExtINT, LINT1 NMI on all CPUs)
 *   PM block   vmm/dev/acpi_pm.c at FW_PM_BASE: PM1a_EVT, PM1a_CNT, PM timer
 *   reset      FADT reset register: 0x06 to I/O port 0xcf9
 *   soft-off   \_S5 SLP_TYP = FW_S5_SLP_TYP
 *
 * Guest-physical layout (FW_TABLES_GPA .. + FW_TABLES_SIZE, which the
 * loaders keep out of the guest's usable memory):
 *
 *   0xf0000  RSDP (ACPI 2.0+, 36 bytes)     = FW_RSDP_GPA
 *   0xf0040  FACS (64 bytes, 64-aligned)
 *   0xf0080  MP floating pointer "_MP_"
 *   0xf0090  MP configuration table "PCMP", then RSDT, XSDT, FADT, MADT,
 *            DSDT, each on a 16-byte boundary
 */
#ifndef VMM_FWTABLES_H
#define VMM_FWTABLES_H

#include <stddef.h>
#include <stdint.h>

struct vm;

#define FW_TABLES_GPA   0xf0000ull
#define FW_TABLES_SIZE  0x10000ull
#define FW_RSDP_GPA     FW_TABLES_GPA /* for boot_params.acpi_rsdp_addr, PVH rsdp_paddr */

#define FW_LAPIC_ADDR   0xfee00000u
#define FW_IOAPIC_ADDR  0xfec00000u
#define FW_IOAPIC_PINS  24
/* The IOAPIC's ID: after the CPUs' (its ID register should reset to it). */
#define FW_IOAPIC_ID(nr_vcpus) ((uint8_t)(nr_vcpus))

/* The ACPI fixed-hardware block of vmm/dev/acpi_pm.c (I/O ports). */
#define FW_PM_BASE      0x600
#define FW_PM1A_EVT     (FW_PM_BASE + 0) /* PM1_STS (2 bytes), PM1_EN (2 bytes) */
#define FW_PM1A_CNT     (FW_PM_BASE + 4) /* PM1_CNT, 2 bytes */
#define FW_PM_TMR       (FW_PM_BASE + 8) /* PM timer, 4 bytes, 32-bit counter */
#define FW_PM_LEN       12
#define FW_SCI_IRQ      9
#define FW_S5_SLP_TYP   5                /* \_S5 package: SLP_TYPa = SLP_TYPb = 5 */
#define FW_RESET_PORT   0xcf9
#define FW_RESET_VALUE  0x06

/*
 * Build the tables for nr_cpus CPUs into buf (size bytes), which the guest
 * will see at guest-physical base. Pure (no VM, no allocation): the unit
 * tests call it. Returns the bytes used, or -ENOSPC when buf is too small,
 * -EINVAL for a CPU count the tables cannot describe (0, or > 254).
 */
int fwtables_write(uint8_t *buf, size_t size, uint64_t base, unsigned nr_cpus);

/*
 * Write vm's tables (for vm->nr_vcpus CPUs) into its RAM at FW_TABLES_GPA.
 * Call after the vCPUs are added and the guest image is loaded, before the
 * VM runs. Fails (VM not started) with -EEXIST when the image already put
 * something in the window (guest images must stay out of 0xf0000-0xfffff),
 * -EFAULT when the VM has no RAM there, -ENOMEM.
 */
int fwtables_build(struct vm *vm);

#endif
