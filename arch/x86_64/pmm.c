// SPDX-License-Identifier: MIT
/*
 * Bitmap page allocator. A set bit means "not available": used, reserved,
 * or not RAM. 64 bits are tested at a time, so a scan over 4 GiB is 16 Ki
 * word loads; single-page allocations also keep a next-fit hint.
 */
#define pr_fmt "pmm"
#include <stdbool.h>

#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/spinlock.h"
#include "drivers/console.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

static uint64_t *bitmap;
static uint64_t nr_pages; /* pages the bitmap covers, from 0 */
static uint64_t nr_free, nr_total;
static uint64_t hint; /* next-fit start for single pages */
static struct spinlock pmm_lock = SPINLOCK_INIT;

/* The first page at or above addr; no wrap-around near 2^64. */
static uint64_t pfn_up(uint64_t addr)
{
	return (addr >> PAGE_SHIFT) + !!(addr & (PAGE_SIZE - 1));
}

static bool page_used(uint64_t pfn)
{
	return bitmap[pfn / 64] & (1ull << (pfn % 64));
}

static void set_range(uint64_t pfn, uint64_t count, bool used)
{
	for (uint64_t p = pfn; p < pfn + count && p < nr_pages; p++) {
		if (used)
			bitmap[p / 64] |= 1ull << (p % 64);
		else
			bitmap[p / 64] &= ~(1ull << (p % 64));
	}
}

static bool overlaps(uint64_t a, uint64_t b, const struct pmm_range *excl, unsigned nexcl)
{
	for (unsigned i = 0; i < nexcl; i++)
		if (a < excl[i].end && excl[i].base < b)
			return true;
	return false;
}

/* First page-aligned usable run of len bytes above 1 MiB outside excl. */
static uint64_t find_bitmap_home(const struct boot_mem_region *map, unsigned n,
				 const struct pmm_range *excl, unsigned nexcl, uint64_t len)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = map[i].base + map[i].len;
		uint64_t a = map[i].base < LOW_MEM_END ? LOW_MEM_END : map[i].base;

		if (map[i].type != BOOT_MEM_USABLE)
			continue;
		for (; a + len <= end; a += PAGE_SIZE)
			if (!overlaps(a, a + len, excl, nexcl))
				return a;
	}
	return 0;
}

int pmm_init(const struct boot_mem_region *map, unsigned n, const struct pmm_range *excl,
	     unsigned nexcl, void *(*map_fn)(uint64_t phys, size_t len))
{
	uint64_t top = 0, bytes, home;

	for (unsigned i = 0; i < n; i++)
		if (map[i].type == BOOT_MEM_USABLE && map[i].base + map[i].len > top)
			top = map[i].base + map[i].len;
	if (!top) {
		pr_err("the memory map has no usable memory\n");
		return -ENOMEM;
	}
	nr_pages = top >> PAGE_SHIFT;
	bytes = (nr_pages + 63) / 64 * 8;
	bytes = (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	home = find_bitmap_home(map, n, excl, nexcl, bytes);
	if (!home) {
		pr_err("no room for a %lu KiB page bitmap\n", (unsigned long)(bytes >> 10));
		return -ENOMEM;
	}
	bitmap = map_fn(home, bytes);
	memset(bitmap, 0xff, bytes);
	nr_free = nr_total = 0;
	for (unsigned i = 0; i < n; i++) {
		if (map[i].type != BOOT_MEM_USABLE)
			continue;
		set_range(map[i].base >> PAGE_SHIFT, map[i].len >> PAGE_SHIFT, false);
	}
	set_range(0, 1, true); /* page 0: never, a NULL must stay a NULL */
	for (unsigned i = 0; i < nexcl; i++) {
		uint64_t a = excl[i].base >> PAGE_SHIFT;
		uint64_t b = pfn_up(excl[i].end);

		set_range(a, b > a ? b - a : 0, true);
	}
	set_range(home >> PAGE_SHIFT, bytes >> PAGE_SHIFT, true);
	for (uint64_t p = 0; p < nr_pages; p++)
		nr_free += !page_used(p);
	nr_total = nr_free;
	hint = LOW_MEM_END >> PAGE_SHIFT;
	return 0;
}

/* Is [pfn, pfn+count) entirely free? Returns the first used pfn, or ~0. */
static uint64_t first_used(uint64_t pfn, uint64_t count)
{
	for (uint64_t p = pfn; p < pfn + count; p++)
		if (page_used(p))
			return p;
	return ~0ull;
}

static uint64_t find_single(uint64_t lo, uint64_t hi)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t start = pass ? lo : (hint > lo && hint < hi ? hint : lo);
		uint64_t end = pass ? (hint > lo && hint < hi ? hint : lo) : hi;

		for (uint64_t p = start; p < end;) {
			if ((p % 64) == 0 && p + 64 <= end && bitmap[p / 64] == ~0ull) {
				p += 64;
				continue;
			}
			if (!page_used(p))
				return p;
			p++;
		}
	}
	return ~0ull;
}

static uint64_t find_run(uint64_t count, uint64_t align_pages, uint64_t lo, uint64_t hi)
{
	uint64_t p = (lo + align_pages - 1) & ~(align_pages - 1);

	while (p + count <= hi) {
		uint64_t used = first_used(p, count);

		if (used == ~0ull)
			return p;
		p = (used + align_pages) & ~(align_pages - 1);
	}
	return ~0ull;
}

uint64_t pmm_alloc(size_t pages, uint64_t align, uint64_t min, uint64_t max)
{
	uint64_t align_pages = align > PAGE_SIZE ? align >> PAGE_SHIFT : 1;
	uint64_t lo = pfn_up(min);
	uint64_t hi = max >> PAGE_SHIFT;
	uint64_t pfn, flags;

	if (!pages || pages > nr_pages || (align_pages & (align_pages - 1)))
		return 0; /* pages bounded: pfn + pages cannot wrap below */
	if (hi > nr_pages)
		hi = nr_pages;
	if (lo < 1)
		lo = 1;
	if (lo >= hi)
		return 0;
	flags = spin_lock_irqsave(&pmm_lock);
	if (pages == 1 && align_pages == 1)
		pfn = find_single(lo, hi);
	else
		pfn = find_run(pages, align_pages, lo, hi);
	if (pfn != ~0ull) {
		set_range(pfn, pages, true);
		nr_free -= pages;
		if (pages == 1)
			hint = pfn + 1;
	}
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pfn == ~0ull ? 0 : pfn << PAGE_SHIFT;
}

uint64_t pmm_alloc_page(void)
{
	return pmm_alloc(1, PAGE_SIZE, LOW_MEM_END, ~0ull);
}

void pmm_free(uint64_t phys, size_t pages)
{
	uint64_t pfn = phys >> PAGE_SHIFT;
	uint64_t flags;

	if (phys & (PAGE_SIZE - 1) || !pfn || pages > nr_pages || pfn > nr_pages - pages)
		panic("pmm_free(%#lx, %zu): not an allocated range", (unsigned long)phys, pages);
	flags = spin_lock_irqsave(&pmm_lock);
	for (uint64_t p = pfn; p < pfn + pages; p++)
		if (!page_used(p))
			panic("pmm_free: page %#lx is already free", (unsigned long)(p << PAGE_SHIFT));
	set_range(pfn, pages, false);
	nr_free += pages;
	spin_unlock_irqrestore(&pmm_lock, flags);
}

uint64_t pmm_free_pages(void)
{
	return nr_free;
}

uint64_t pmm_total_pages(void)
{
	return nr_total;
}

uint64_t pmm_top(void)
{
	return nr_pages << PAGE_SHIFT;
}
