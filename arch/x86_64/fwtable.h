/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the firmware-table parsers (acpi.c, mptable.c) and
 * nothing else: little-endian reads from mapped bytes, the 8-bit table
 * checksum, the BIOS data area lookups and paragraph scan both specs
 * prescribe, and checked appends to struct platform.
 *
 * Pure like the parsers: memory only through the caller's platform_map_fn.
 * Boot CPU only.
 */
#ifndef ARCH_FWTABLE_H
#define ARCH_FWTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/platform.h"

/* Firmware tables are little-endian and need not be aligned. */
static inline uint16_t fwtable_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t fwtable_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t fwtable_le64(const uint8_t *b)
{
	return (uint64_t)fwtable_le32(b) | (uint64_t)fwtable_le32(b + 4) << 32;
}

/* Sum of len bytes modulo 256: 0 for a table with a valid checksum. */
uint8_t fwtable_sum(const uint8_t *b, size_t len);

/* Physical base of the EBDA (BDA word at 0x40e), 0 when implausible. */
uint64_t fwtable_ebda(platform_map_fn map);
/* Physical address of the last KiB of base memory (BDA word at 0x413). */
uint64_t fwtable_base_mem_last_kib(platform_map_fn map);

/*
 * Scan [start, start + len) on 16-byte boundaries for the sig_len bytes of
 * sig; return the first match ok() accepts, 0 if none. ok() maps what it
 * needs itself.
 */
typedef bool (*fwtable_ok_fn)(uint64_t phys, platform_map_fn map);
uint64_t fwtable_scan(uint64_t start, size_t len, const char *sig,
		      size_t sig_len, fwtable_ok_fn ok, platform_map_fn map);

/*
 * Append to p->cpus: 0; -EEXIST when that APIC ID is already listed
 * (nothing changes); -ENOSPC when MAX_CPUS are listed (counted in
 * p->nr_cpus_ignored). The caller warns.
 */
int fwtable_add_cpu(struct platform *p, struct platform_cpu cpu);
/* Append to p->ioapics: 0, or -ENOSPC when MAX_IOAPICS are listed. */
int fwtable_add_ioapic(struct platform *p, struct platform_ioapic io);

#endif
