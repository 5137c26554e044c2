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
};

struct platform_ioapic {
	uint32_t id;
	uint64_t addr;
	uint32_t gsi_base;
};

/* An ACPI Generic Address Structure, reduced to what we use. */
struct platform_gas {
	uint8_t space; /* 0 = system memory, 1 = system I/O */
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
	bool pic_present; /* legacy 8259 pair (MADT PCAT_COMPAT) */

	/* FADT: power-off through S5, reset register. */
	uint32_t pm1a_cnt; /* I/O port, 0: none */
	uint32_t pm1b_cnt;
	bool s5_valid; /* \_S5 found in the DSDT */
	uint8_t s5_typ_a, s5_typ_b;
	bool reset_valid; /* FADT reset register supported */
	struct platform_gas reset_reg;
	uint8_t reset_value;
	uint64_t hpet_addr; /* 0: no HPET table */
};

/*
 * Map a physical range for reading; return NULL when it is not accessible.
 * In the core this is the identity map bounded by known memory; in tests a
 * window onto a fake physical memory.
 */
typedef const void *(*platform_map_fn)(uint64_t phys, size_t len);

int acpi_parse(struct platform *p, uint64_t rsdp, platform_map_fn map);
/* Look for the RSDP in the EBDA and the BIOS area (0xe0000-0xfffff). */
uint64_t acpi_find_rsdp(platform_map_fn map);
int mptable_parse(struct platform *p, platform_map_fn map);

#endif
