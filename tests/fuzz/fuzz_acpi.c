// build: mkdir -p build/fuzz && clang -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DHOST_TEST -I. tests/fuzz/fuzz_acpi.c -o build/fuzz/fuzz_acpi
// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the firmware-table parsers (acpi.c, mptable.c).
 *
 * Input: byte 0 holds flags, the rest is physical memory from 0xf0000 on
 * (up to 64 KiB); the other addresses below 1 MiB read as zeros, nothing
 * above 1 MiB is mapped. acpi_parse() gets the RSDP at 0xf0000, the first
 * input byte after the flags. map() returns exact-size copies bounded by
 * poisoned memory, so ASan reports any read beyond what a parser mapped.
 *
 * Checksums would stop the fuzzer at the first table, so with FUZZ_FIX_SUMS
 * the harness first repairs the checksums of the tables the pointers lead
 * to (RSDP, RSDT/XSDT, what they list, the DSDT, MP structures).
 *
 * Seeds: tests/fuzz/corpus/acpi/ holds complete layouts (RSDT and XSDT,
 * FADT, MADT, HPET, DSDT with \_S5, MP table) with and without the flags:
 *   build/fuzz/fuzz_acpi -max_len=8192 -max_total_time=60 <new dir> tests/fuzz/corpus/acpi
 */
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/fwtable.c"
#include "arch/x86_64/acpi.c"
#undef pr_fmt
#include "arch/x86_64/mptable.c"

#define MEM_SIZE      0x100000
#define DATA_AT       0xf0000
#define RSDP_AT       DATA_AT

enum {
	FUZZ_FIX_SUMS = 1 << 0,
	FUZZ_EBDA = 1 << 1,      /* BDA points at an EBDA holding a copy of the data */
	FUZZ_FIND_RSDP = 1 << 2, /* parse at acpi_find_rsdp()'s answer instead */
};

#define EBDA_AT       0x9fc00

static uint8_t phys_mem[MEM_SIZE];

/*
 * map() copies into an arena: each copy is followed by a poisoned red zone
 * and the whole arena is poisoned again after every input, so ASan sees a
 * read past a mapping as it would with malloc, at a fraction of the cost.
 */
#define ARENA_SIZE    (64u << 20)
#define REDZONE       32
static uint8_t *arena;
static size_t arena_used;

static const void *fuzz_map(uint64_t phys, size_t len)
{
	uint8_t *copy;

	if (phys >= MEM_SIZE || len > MEM_SIZE - phys ||
	    len > ARENA_SIZE - REDZONE - arena_used)
		return NULL;
	copy = arena + arena_used;
	arena_used += (len + REDZONE + 7) & ~(size_t)7;
	ASAN_UNPOISON_MEMORY_REGION(copy, len);
	memcpy(copy, phys_mem + phys, len);
	return copy;
}

static void fuzz_unmap_all(void)
{
	if (!arena) {
		arena = malloc(ARENA_SIZE);
		if (!arena)
			abort();
		arena_used = ARENA_SIZE;
	}
	ASAN_POISON_MEMORY_REGION(arena, arena_used);
	arena_used = 0;
}

/*
 * The console and panic the parsers link against. Lines are formatted and
 * dropped: a bad argument or an unterminated string then trips ASan too.
 */
void console_vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	char line[512];

	(void)level, (void)prefix;
	vsnprintf(line, sizeof(line), fmt, ap);
}

void console_log(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog(level, prefix, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

/* --- checksum repair: follow the pointers the way the parsers will -------------- */

static bool in_mem(uint64_t phys, uint64_t len)
{
	return phys < MEM_SIZE && len <= MEM_SIZE - phys;
}

static void fix_sum(uint64_t phys, uint64_t len, uint64_t csum)
{
	uint8_t sum = 0;

	if (!in_mem(phys, len) || csum < phys || csum >= phys + len)
		return;
	phys_mem[csum] = 0;
	for (uint64_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + phys_mem[phys + i]);
	phys_mem[csum] = (uint8_t)-sum;
}

static uint32_t sdt_len(uint64_t phys)
{
	return in_mem(phys, 36) ? fwtable_le32(phys_mem + phys + 4) : 0;
}

static void fix_sdt(uint64_t phys)
{
	uint32_t len = sdt_len(phys);

	if (len >= 36 && len <= SDT_MAX_LEN)
		fix_sum(phys, len, phys + 9);
}

static void fix_fadt(uint64_t phys)
{
	uint32_t len = sdt_len(phys);
	const uint8_t *f = phys_mem + phys;

	if (len >= 44)
		fix_sdt(fwtable_le32(f + 40));
	if (len >= 148)
		fix_sdt(fwtable_le64(f + 140));
	fix_sdt(phys);
}

static void fix_root(uint64_t phys, unsigned entry)
{
	uint32_t len = sdt_len(phys);

	if (len < 36 || !in_mem(phys, len))
		return;
	for (uint32_t off = 36; off + entry <= len; off += entry) {
		const uint8_t *e = phys_mem + phys + off;
		uint64_t t = entry == 8 ? fwtable_le64(e) : fwtable_le32(e);

		if (in_mem(t, 36) && memcmp(phys_mem + t, "FACP", 4) == 0)
			fix_fadt(t);
		else
			fix_sdt(t);
	}
	fix_sdt(phys);
}

static void fix_rsdp(uint64_t at)
{
	uint32_t len;

	if (!in_mem(at, 36))
		return;
	fix_root(fwtable_le32(phys_mem + at + 16), 4);
	fix_root(fwtable_le64(phys_mem + at + 24), 8);
	fix_sum(at, 20, at + 8);
	len = fwtable_le32(phys_mem + at + 20);
	fix_sum(at, len >= 36 && len <= 4096 ? len : 36, at + 32);
}

static void fix_mp(void)
{
	for (uint64_t fp = DATA_AT; fp + 16 <= MEM_SIZE; fp += 16) {
		uint32_t cfg;

		if (memcmp(phys_mem + fp, "_MP_", 4) != 0)
			continue;
		cfg = fwtable_le32(phys_mem + fp + 4);
		if (in_mem(cfg, 44))
			fix_sum(cfg, fwtable_le16(phys_mem + cfg + 4), cfg + 7);
		fix_sum(fp, 16, fp + 10);
	}
}

/* --- the properties every result must have ------------------------------------------ */

static void check(const struct platform *p, int err, enum platform_source src)
{
	if (p->nr_cpus > MAX_CPUS || p->nr_ioapics > MAX_IOAPICS ||
	    p->nr_irq_overrides > MAX_IRQ_OVERRIDES)
		__builtin_trap();
	if (err == 0 && (p->source != src || p->nr_cpus == 0))
		__builtin_trap();
	if (err != 0 && (err >= 0 || p->source != PLATFORM_NONE))
		__builtin_trap();
	if (p->s5_valid && (p->s5_typ_a > 7 || p->s5_typ_b > 7))
		__builtin_trap();
	if (p->reset_valid && (p->reset_reg.space > PLATFORM_GAS_PCI_CFG || !p->reset_reg.addr))
		__builtin_trap();
	if (p->pm1a_cnt > 0xffff || p->pm1b_cnt > 0xffff)
		__builtin_trap();
	for (unsigned i = 0; i < p->nr_cpus; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (p->cpus[i].apic_id == p->cpus[j].apic_id)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform p;
	uint64_t rsdp = RSDP_AT;
	size_t n;
	int err;

	if (size < 1)
		return 0;
	fuzz_unmap_all();
	memset(phys_mem, 0, sizeof(phys_mem));
	n = size - 1 < MEM_SIZE - DATA_AT ? size - 1 : MEM_SIZE - DATA_AT;
	memcpy(phys_mem + DATA_AT, data + 1, n);
	if (data[0] & FUZZ_FIX_SUMS) {
		fix_rsdp(RSDP_AT);
		fix_mp();
	}
	if (data[0] & FUZZ_EBDA) {
		phys_mem[0x40e] = (uint8_t)(EBDA_AT >> 4);
		phys_mem[0x40f] = (uint8_t)(EBDA_AT >> 12);
		memcpy(phys_mem + EBDA_AT, phys_mem + DATA_AT, 1024);
	}

	if (data[0] & FUZZ_FIND_RSDP)
		rsdp = acpi_find_rsdp(fuzz_map);
	err = acpi_parse(&p, rsdp, fuzz_map);
	check(&p, err, PLATFORM_ACPI);
	err = mptable_parse(&p, fuzz_map);
	check(&p, err, PLATFORM_MPTABLE);
	return 0;
}
