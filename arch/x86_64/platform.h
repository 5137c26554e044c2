/* SPDX-License-Identifier: MIT */
/*
 * What the firmware tables say about the machine: CPUs, IOAPICs, how to
 * power off and reset. Filled once at boot by acpi_parse() or, when there is
 * no usable ACPI, by mptable_parse(); read-only afterwards.
 *
 * Both parsers are pure: they read firmware memory only through the
 * caller's map function, validate lengths and checksums before trusting a
 * table, and return 0 or a negative errno (never panic). A bad table is
 * reported with a warning and skipped.
 */
#ifndef ARCH_PLATFORM_H
#define ARCH_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/basalt/limits.h"

enum platform_source {
	PLATFORM_NONE = 0,
	PLATFORM_ACPI,
	PLATFORM_MPTABLE,
};

struct platform_cpu {
	uint32_t apic_id;
	bool bsp; /* MP table only: the BSP flag; ACPI: false */
	/*
	 * ACPI 6.3+ only: the MADT marks this CPU "online capable" but not
	 * enabled, i.e. hot-pluggable and normally absent at boot. SMP
	 * bring-up must not wait for it to answer INIT-SIPI-SIPI.
	 */
	bool online_capable;
};

/* The MP table gives no GSI bases: see platform_ioapic.gsi_base. */
#define PLATFORM_GSI_UNKNOWN UINT32_MAX

struct platform_ioapic {
	uint32_t id;
	uint64_t addr;
	/*
	 * ACPI: from the MADT. MP table: 0 for the first IOAPIC, else
	 * PLATFORM_GSI_UNKNOWN; the IOAPIC driver numbers those in table
	 * order from each one's redirection-entry count.
	 */
	uint32_t gsi_base;
};

/*
 * MPS INTI flags (MADT interrupt source override, MP table interrupt
 * entries): polarity in bits 1:0, trigger mode in bits 3:2.
 */
#define PLATFORM_INTI_POLARITY_MASK 0x3u
#define PLATFORM_INTI_POLARITY_BUS  0x0u /* conforms to the bus (ISA: high) */
#define PLATFORM_INTI_POLARITY_HIGH 0x1u
#define PLATFORM_INTI_POLARITY_LOW  0x3u
#define PLATFORM_INTI_TRIGGER_MASK  0xcu
#define PLATFORM_INTI_TRIGGER_BUS   0x0u /* conforms to the bus (ISA: edge) */
#define PLATFORM_INTI_TRIGGER_EDGE  0x4u
#define PLATFORM_INTI_TRIGGER_LEVEL 0xcu

/* ISA IRQ `irq` arrives at `gsi` instead of GSI == irq (MADT type 2). */
struct platform_irq_override {
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags; /* PLATFORM_INTI_* */
};

/* An ACPI Generic Address Structure, reduced to what we use. */
#define PLATFORM_GAS_MEMORY  0
#define PLATFORM_GAS_IO      1
#define PLATFORM_GAS_PCI_CFG 2 /* bus 0; addr = dev << 32 | fn << 16 | offset */
struct platform_gas {
	uint8_t space; /* PLATFORM_GAS_* */
	uint8_t width; /* register bit width */
	uint64_t addr; /* 0: absent */
};

struct platform {
	enum platform_source source;
	uint64_t lapic_addr;
	unsigned nr_cpus;
	struct platform_cpu cpus[MAX_CPUS];
	unsigned nr_cpus_ignored; /* beyond MAX_CPUS or disabled */
	unsigned nr_ioapics;
	struct platform_ioapic ioapics[MAX_IOAPICS];
	unsigned nr_irq_overrides;
	struct platform_irq_override irq_overrides[MAX_IRQ_OVERRIDES];
	bool pic_present; /* legacy 8259 pair (MADT PCAT_COMPAT; MP: always) */
	bool imcr_present; /* MP table: IMCR present, booted in PIC mode */

	/* FADT: power-off through S5, reset register. */
	uint32_t pm1a_cnt; /* I/O port, 0: none */
	uint32_t pm1b_cnt;
	bool s5_valid; /* \_S5 found in the DSDT */
	uint8_t s5_typ_a, s5_typ_b;
	bool reset_valid; /* FADT reset register supported */
	struct platform_gas reset_reg;
	uint8_t reset_value;
	uint64_t hpet_addr; /* HPET register block (MMIO); 0: no HPET table */
};

/*
 * Map a physical range for reading; return NULL when it is not accessible.
 * In the core this is the identity map bounded by known memory; in tests a
 * window onto a fake physical memory. The bytes must stay readable until
 * the parser returns; the parsers never read outside [phys, phys + len).
 */
typedef const void *(*platform_map_fn)(uint64_t phys, size_t len);

/*
 * Boot CPU, once, before SMP. Both parsers first zero *p. On success they
 * set p->source and return 0; on failure p->source stays PLATFORM_NONE
 * (other fields may be partly filled: ignore them) and they return:
 *
 * acpi_parse: -ENOENT no RSDP given or no usable MADT, -EFAULT RSDP not
 *   mappable, -EINVAL bad RSDP or no valid RSDT/XSDT, -ENODEV the MADT
 *   lists no usable CPU. A missing or bad FADT, DSDT or HPET table is not
 *   an error: those fields stay 0 / false.
 * mptable_parse: -ENOENT no (valid) MP floating pointer or configuration
 *   table, -ENOTSUP a default configuration, -EINVAL bad configuration
 *   table, -ENODEV no usable CPU.
 */
int acpi_parse(struct platform *p, uint64_t rsdp, platform_map_fn map);
/*
 * Look for the RSDP in the first KiB of the EBDA, then in 0xe0000-0xfffff
 * (16-byte boundaries, ACPI 1.0 checksum). Returns its address, 0 if none.
 * Legacy BIOS only: UEFI hands the RSDP over in the configuration table.
 */
uint64_t acpi_find_rsdp(platform_map_fn map);
/*
 * Scan [start, start + len) on 16-byte boundaries for a valid RSDP: for
 * firmware that passes none (GRUB-EFI on OVMF without fw_cfg), over the
 * memory map's ACPI regions. Returns its address, 0 if none.
 */
uint64_t acpi_scan_rsdp(uint64_t start, uint64_t len, platform_map_fn map);
int mptable_parse(struct platform *p, platform_map_fn map);

#endif
