/* SPDX-License-Identifier: MIT */
/*
 * The physical page allocator: one bit per 4 KiB page of host memory, built
 * from the normalized firmware memory map. Pages below 1 MiB are handed
 * out only when asked for explicitly (AP trampoline); page 0 never.
 * Callable from any CPU (one lock). Pages come back unzeroed.
 */
#ifndef ARCH_PMM_H
#define ARCH_PMM_H

#include <stddef.h>
#include <stdint.h>

#include "include/basalt/boot_info.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define LOW_MEM_END 0x100000ull /* below: only for explicit low allocations */

/* A physical range [base, end) the allocator must never hand out. */
struct pmm_range {
	uint64_t base, end;
};

/*
 * Build the allocator. map must be normalized (memmap_normalize). The
 * bitmap is carved from usable memory outside excl; map_fn turns its
 * physical address into a pointer. Returns 0, -ENOMEM when there is no
 * usable memory or no room for the bitmap.
 */
int pmm_init(const struct boot_mem_region *map, unsigned n, const struct pmm_range *excl,
	     unsigned nexcl, void *(*map_fn)(uint64_t phys, size_t len));

/*
 * Allocate pages contiguous pages aligned to align bytes (a power of two,
 * at least PAGE_SIZE) within [min, max). Returns the physical address, or
 * 0 when no such run is free.
 */
uint64_t pmm_alloc(size_t pages, uint64_t align, uint64_t min, uint64_t max);
/* One page above 1 MiB. */
uint64_t pmm_alloc_page(void);
/* Give back pages from pmm_alloc; freeing a free page is a panic (our bug). */
void pmm_free(uint64_t phys, size_t pages);

uint64_t pmm_free_pages(void);
uint64_t pmm_total_pages(void);
/* One past the highest usable byte. */
uint64_t pmm_top(void);

#endif
