// SPDX-License-Identifier: MIT
/*
 * Memory-map normalization by boundary sweep: collect every region edge,
 * sort, and for each elementary interval take the strictest type of the
 * regions covering it. O(n^2) on at most BOOT_MAX_MEM regions: fine at boot.
 */
#include <stdbool.h>

#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/memmap.h"

#define PAGE_SIZE 4096ull

/* Higher wins an overlap: anything is stricter than usable. */
static int type_rank(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE: return 0;
	case BOOT_MEM_ACPI_RECLAIM: return 1;
	case BOOT_MEM_ACPI_NVS: return 2;
	case BOOT_MEM_RESERVED: return 3;
	case BOOT_MEM_BAD: return 4;
	default: return 3;
	}
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE: return "usable";
	case BOOT_MEM_ACPI_RECLAIM: return "ACPI data";
	case BOOT_MEM_ACPI_NVS: return "ACPI NVS";
	case BOOT_MEM_BAD: return "bad";
	default: return "reserved";
	}
}

static void sort_u64(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = a[i];
		unsigned j = i;

		for (; j && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static uint64_t region_end(const struct boot_mem_region *r)
{
	uint64_t end = r->base + r->len;

	return end < r->base ? UINT64_MAX : end; /* clamp wrap-around */
}

/*
 * The strictest region covering [a, b): its index, or -1 when none does.
 * (Not a type with 0 for "none": firmware can report type 0.)
 */
static int strictest_at(const struct boot_mem_region *in, unsigned n, uint64_t a, uint64_t b)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (in[i].base <= a && region_end(&in[i]) >= b &&
		    (best < 0 || type_rank(in[i].type) > type_rank(in[best].type)))
			best = (int)i;
	}
	return best;
}

static bool emit(struct boot_mem_region *out, unsigned *nout, unsigned cap,
		 uint64_t base, uint64_t end, uint32_t type)
{
	if (*nout && out[*nout - 1].type == type &&
	    out[*nout - 1].base + out[*nout - 1].len == base) {
		out[*nout - 1].len += end - base;
		return true;
	}
	if (*nout == cap)
		return false;
	out[(*nout)++] = (struct boot_mem_region){ .base = base, .len = end - base, .type = type };
	return true;
}

/* Shrink usable regions to whole pages, dropping any that vanish. */
static int align_usable(struct boot_mem_region *map, unsigned n)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n; i++) {
		struct boot_mem_region r = map[i];

		if (r.type == BOOT_MEM_USABLE) {
			uint64_t end = (r.base + r.len) & ~(PAGE_SIZE - 1);
			uint64_t base = (r.base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

			/* base < r.base: rounding up wrapped, r is inside the last page */
			if (base < r.base || end <= base)
				continue;
			r.base = base;
			r.len = end - base;
		}
		map[out++] = r;
	}
	return (int)out;
}

int memmap_normalize(struct boot_mem_region *map, unsigned n, unsigned cap)
{
	static struct boot_mem_region in[BOOT_MAX_MEM];
	static uint64_t edges[2 * BOOT_MAX_MEM];
	unsigned ne = 0, nout = 0;

	if (n > BOOT_MAX_MEM || cap > BOOT_MAX_MEM)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		if (!map[i].len)
			continue;
		in[ne / 2] = map[i];
		edges[ne++] = map[i].base;
		edges[ne++] = region_end(&map[i]);
	}
	n = ne / 2;
	sort_u64(edges, ne);
	for (unsigned i = 0; i + 1 < ne; i++) {
		uint64_t a = edges[i], b = edges[i + 1];
		int best;

		if (a == b)
			continue;
		best = strictest_at(in, n, a, b);
		if (best >= 0 && !emit(map, &nout, cap, a, b, in[best].type))
			return -E2BIG;
	}
	return align_usable(map, nout);
}

uint64_t memmap_total(const struct boot_mem_region *map, unsigned n, uint32_t type)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		if (map[i].type == type)
			sum += map[i].len;
	return sum;
}
