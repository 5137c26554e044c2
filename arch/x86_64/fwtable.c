// SPDX-License-Identifier: MIT
/* Shared pieces of the ACPI and MP table parsers (see fwtable.h). */
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

#include "arch/x86_64/fwtable.h"
#include "arch/x86_64/lib/errno.h"

/*
 * BIOS data area words, and the bounds we believe: the EBDA lies below the
 * 640 KiB line, after the BDA (ACPI "Finding the RSDP on IA-PC Systems";
 * MP spec 1.4 §4 "MP Configuration Table").
 */
#define BDA_EBDA_SEGMENT  0x40e
#define BDA_BASE_MEM_KIB  0x413
#define BDA_END           0x500
#define BASE_MEM_END      0xa0000
#define BASE_MEM_MAX_KIB  (BASE_MEM_END / 1024)
#define KIB               1024
#define PARAGRAPH         16

uint8_t fwtable_sum(const uint8_t *b, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

static uint16_t bda_word(platform_map_fn map, uint64_t phys)
{
	const uint8_t *b = map(phys, 2);

	return b ? fwtable_le16(b) : 0;
}

uint64_t fwtable_ebda(platform_map_fn map)
{
	uint64_t base = (uint64_t)bda_word(map, BDA_EBDA_SEGMENT) << 4;

	if (base < BDA_END || base + KIB > BASE_MEM_END)
		return 0;
	return base;
}

uint64_t fwtable_base_mem_last_kib(platform_map_fn map)
{
	uint64_t kib = bda_word(map, BDA_BASE_MEM_KIB);

	if (kib == 0 || kib > BASE_MEM_MAX_KIB)
		kib = BASE_MEM_MAX_KIB; /* MP spec: 639K-640K by default */
	return (kib - 1) * KIB;
}

uint64_t fwtable_scan(uint64_t start, size_t len, const char *sig,
		      size_t sig_len, fwtable_ok_fn ok, platform_map_fn map)
{
	for (size_t off = 0; off + PARAGRAPH <= len; off += PARAGRAPH) {
		const uint8_t *b = map(start + off, PARAGRAPH);

		if (b && memcmp(b, sig, sig_len) == 0 && ok(start + off, map))
			return start + off;
	}
	return 0;
}

int fwtable_add_cpu(struct platform *p, struct platform_cpu cpu)
{
	for (unsigned i = 0; i < p->nr_cpus; i++) {
		if (p->cpus[i].apic_id == cpu.apic_id)
			return -EEXIST;
	}
	if (p->nr_cpus == MAX_CPUS) {
		p->nr_cpus_ignored++;
		return -ENOSPC;
	}
	p->cpus[p->nr_cpus++] = cpu;
	return 0;
}

int fwtable_add_ioapic(struct platform *p, struct platform_ioapic io)
{
	if (p->nr_ioapics == MAX_IOAPICS)
		return -ENOSPC;
	p->ioapics[p->nr_ioapics++] = io;
	return 0;
}
