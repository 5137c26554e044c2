/* SPDX-License-Identifier: MIT */
/*
 * Fake physical memory, table builders and log capture for the firmware
 * table tests (test_acpi.c, test_mptable.c).
 *
 * Include this first, before the .c files under test: it renames their
 * console_log() to fake_log(), which keeps every line since fake_reset()
 * (host.c keeps only the last) and then passes it on to host.c.
 *
 * Physical memory is two windows: the low MiB (BDA, EBDA, BIOS area) and a
 * high window at a base each test chooses (where firmware puts its tables).
 * fake_map() hands out a malloc'd copy of exactly the bytes asked for, so
 * ASan catches any read past what the parser mapped.
 */
#ifndef TESTS_UNIT_FW_FAKE_H
#define TESTS_UNIT_FW_FAKE_H

#define console_log fake_log
#include "drivers/console.h"
#undef pr_fmt /* the file under test defines its own */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/platform.h"
#include "tests/unit/unit.h"

#define LOW_SIZE 0x100000
#define HI_SIZE  0x40000

static uint8_t low_mem[LOW_SIZE];
static uint8_t hi_mem[HI_SIZE];
static uint64_t hi_base, hi_next;

static void **maps;
static size_t nr_maps, cap_maps;
static size_t max_map_len;

static char log_buf[1 << 16];
static size_t log_len;
static int log_warnings; /* lines at LOG_WARN or worse */

void fake_log(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (level <= LOG_WARN)
		log_warnings++;
	va_start(ap, fmt);
	if (log_len < sizeof(log_buf)) {
		n = snprintf(log_buf + log_len, sizeof(log_buf) - log_len, "%s: ",
			     prefix ? prefix : "");
		if (n > 0)
			log_len += (size_t)n;
	}
	if (log_len < sizeof(log_buf)) {
		n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);
		if (n > 0)
			log_len += (size_t)n;
	}
	if (log_len > sizeof(log_buf) - 1)
		log_len = sizeof(log_buf) - 1;
	va_end(ap);
	va_start(ap, fmt);
	console_vlog(level, prefix, fmt, ap);
	va_end(ap);
}

/* Whether any line logged since fake_reset() contains needle; how often. */
static inline int log_count(const char *needle)
{
	int n = 0;

	for (const char *s = log_buf; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static inline bool log_has(const char *needle)
{
	return log_count(needle) > 0;
}

/* log_has() for a needle that contains one address: fmt has one %llx. */
static inline bool __attribute__((format(printf, 1, 0))) log_has_at(const char *fmt, uint64_t addr)
{
	char needle[256];

	snprintf(needle, sizeof(needle), fmt, (unsigned long long)addr);
	return log_has(needle);
}

/* Where [phys, phys + len) lives in the fake memory; NULL if outside. */
static inline uint8_t *fake_ptr(uint64_t phys, size_t len)
{
	if (phys < LOW_SIZE && len <= LOW_SIZE - phys)
		return low_mem + phys;
	if (phys >= hi_base && phys - hi_base < HI_SIZE && len <= HI_SIZE - (phys - hi_base))
		return hi_mem + (phys - hi_base);
	return NULL;
}

static inline const void *fake_map(uint64_t phys, size_t len)
{
	const uint8_t *src = fake_ptr(phys, len);
	void *copy;

	if (!src)
		return NULL;
	if (nr_maps == cap_maps) {
		cap_maps = cap_maps ? 2 * cap_maps : 1024;
		maps = realloc(maps, cap_maps * sizeof(*maps));
		if (!maps)
			abort();
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, src, len);
	maps[nr_maps++] = copy;
	if (len > max_map_len)
		max_map_len = len;
	return copy;
}

/* Empty memory, the high window at hi, no mappings, no log. */
static inline void fake_reset(uint64_t hi)
{
	for (size_t i = 0; i < nr_maps; i++)
		free(maps[i]);
	nr_maps = 0;
	max_map_len = 0;
	memset(low_mem, 0, sizeof(low_mem));
	memset(hi_mem, 0, sizeof(hi_mem));
	hi_base = hi_next = hi;
	log_len = 0;
	log_buf[0] = '\0';
	log_warnings = 0;
}

/* 16-byte aligned space in the high window. */
static inline uint64_t fake_alloc(size_t len)
{
	uint64_t at = hi_next;

	hi_next += (len + 15) & ~(size_t)15;
	if (!fake_ptr(at, len)) {
		fprintf(stderr, "fw_fake: high window full\n");
		abort();
	}
	return at;
}

static inline uint8_t *mem(uint64_t phys)
{
	uint8_t *p = fake_ptr(phys, 1);

	if (!p) {
		fprintf(stderr, "fw_fake: 0x%llx outside fake memory\n", (unsigned long long)phys);
		abort();
	}
	return p;
}

static inline void put8(uint64_t phys, uint8_t v)
{
	*mem(phys) = v;
}

static inline void put16(uint64_t phys, uint16_t v)
{
	put8(phys, (uint8_t)v);
	put8(phys + 1, (uint8_t)(v >> 8));
}

static inline void put32(uint64_t phys, uint32_t v)
{
	put16(phys, (uint16_t)v);
	put16(phys + 2, (uint16_t)(v >> 16));
}

static inline void put64(uint64_t phys, uint64_t v)
{
	put32(phys, (uint32_t)v);
	put32(phys + 4, (uint32_t)(v >> 32));
}

static inline void put_bytes(uint64_t phys, const void *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put8(phys + i, ((const uint8_t *)src)[i]);
}

/* Set the byte at csum so that [phys, phys + len) sums to 0. */
static inline void fix_checksum(uint64_t phys, size_t len, uint64_t csum)
{
	uint8_t sum = 0;

	put8(csum, 0);
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + *mem(phys + i));
	put8(csum, (uint8_t)-sum);
}

/* A growing byte buffer: the body of a table under construction. */
struct tb {
	uint8_t b[16384];
	size_t n;
};

static inline void tb_u8(struct tb *t, uint8_t v)
{
	if (t->n == sizeof(t->b))
		abort();
	t->b[t->n++] = v;
}

static inline void tb_u16(struct tb *t, uint16_t v)
{
	tb_u8(t, (uint8_t)v);
	tb_u8(t, (uint8_t)(v >> 8));
}

static inline void tb_u32(struct tb *t, uint32_t v)
{
	tb_u16(t, (uint16_t)v);
	tb_u16(t, (uint16_t)(v >> 16));
}

static inline void tb_u64(struct tb *t, uint64_t v)
{
	tb_u32(t, (uint32_t)v);
	tb_u32(t, (uint32_t)(v >> 32));
}

static inline void tb_bytes(struct tb *t, const void *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		tb_u8(t, ((const uint8_t *)src)[i]);
}

static inline void tb_zeros(struct tb *t, size_t len)
{
	while (len--)
		tb_u8(t, 0);
}

#endif
