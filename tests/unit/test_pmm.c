// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pmm.c: the bitmap page allocator over made-up memory maps.
 * The bitmap lives in malloc'd storage (map_bitmap); the "physical" pages
 * are never touched, only their addresses are checked.
 */
#include <stdlib.h>

#include "arch/x86_64/pmm.c"
#include "tests/unit/unit.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define U BOOT_MEM_USABLE
#define R BOOT_MEM_RESERVED
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MiB (1ull << 20)

static void *bitmap_mem;
static uint64_t bitmap_phys;
static size_t bitmap_len;

static void *map_bitmap(uint64_t phys, size_t len)
{
	free(bitmap_mem);
	bitmap_mem = malloc(len);
	bitmap_phys = phys;
	bitmap_len = len;
	return bitmap_mem;
}

/* A PC-like map: low memory, a hole, 64 MiB above 1 MiB, MMIO. */
static const struct boot_mem_region pc[] = {
	{ 0x1000, 0x9e000, U },           /* 158 pages */
	{ 0x9f000, 0x61000, R },
	{ 0x100000, 64 * MiB - MiB, U }, /* 16128 pages */
	{ 0xfec00000, 0x1000, R },
};
#define PC_LOW_PAGES 158ull
#define PC_HIGH_PAGES 16128ull

static int init(const struct boot_mem_region *map, unsigned n, const struct pmm_range *excl,
		unsigned nexcl)
{
	unit_last_log[0] = '\0';
	return pmm_init(map, n, excl, nexcl, map_bitmap);
}

static int in_ranges(uint64_t a, const struct pmm_range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a + PAGE_SIZE > r[i].base && a < r[i].end)
			return 1;
	return 0;
}

static int usable(uint64_t a, const struct boot_mem_region *map, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (map[i].type == U && a >= map[i].base && a + PAGE_SIZE <= map[i].base + map[i].len)
			return 1;
	return 0;
}

/*
 * Take every page pmm_alloc(1, PAGE_SIZE, min, max) hands out; check each
 * is new, usable, outside excl and the bitmap, and inside [min, max).
 */
static uint64_t drain(const struct boot_mem_region *map, unsigned n, const struct pmm_range *excl,
		      unsigned nexcl, uint64_t min, uint64_t max)
{
	uint64_t top = pmm_top(), count = 0, a;
	uint8_t *seen = calloc(top / PAGE_SIZE + 1, 1);

	while ((a = pmm_alloc(1, PAGE_SIZE, min, max))) {
		CHECK_EQ_U(a % PAGE_SIZE, 0);
		CHECK(a >= min && a + PAGE_SIZE <= max);
		CHECK(a < top);
		CHECK(!seen[a / PAGE_SIZE]);
		CHECK(usable(a, map, n));
		CHECK(!in_ranges(a, excl, nexcl));
		CHECK(!(a + PAGE_SIZE > bitmap_phys && a < bitmap_phys + bitmap_len));
		seen[a / PAGE_SIZE] = 1;
		count++;
		if (count > top / PAGE_SIZE) {
			CHECK(!"more pages than exist");
			break;
		}
	}
	free(seen);
	return count;
}

TEST(pmm_init_counts)
{
	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	CHECK_EQ_U(pmm_top(), 64 * MiB);
	CHECK_EQ_U(bitmap_phys, MiB); /* first usable page above 1 MiB */
	CHECK_EQ_U(bitmap_len, PAGE_SIZE); /* 16 Ki pages = 2 KiB, one page */
	CHECK_EQ_U(pmm_total_pages(), PC_LOW_PAGES + PC_HIGH_PAGES - 1);
	CHECK_EQ_U(pmm_free_pages(), pmm_total_pages());
}

TEST(pmm_page_zero_never)
{
	static const struct boot_mem_region map[] = {
		{ 0x0, 0xa0000, U }, { 0x100000, 16 * MiB, U },
	};

	CHECK_EQ_I(init(map, N(map), NULL, 0), 0);
	/* 160 low pages, page 0 withheld */
	CHECK_EQ_U(drain(map, N(map), NULL, 0, 0, LOW_MEM_END), 159);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 0, PAGE_SIZE), 0);
}

TEST(pmm_alloc_page_stays_above_1m)
{
	uint64_t n;

	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	for (int i = 0; i < 100; i++)
		CHECK(pmm_alloc_page() >= LOW_MEM_END);
	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	n = 0;
	while (pmm_alloc_page())
		n++;
	CHECK_EQ_U(n, PC_HIGH_PAGES - 1);
	/* low memory is still all there, for those who ask for it */
	CHECK_EQ_U(pmm_free_pages(), PC_LOW_PAGES);
	CHECK_EQ_U(drain(pc, N(pc), NULL, 0, 0, LOW_MEM_END), PC_LOW_PAGES);
	CHECK_EQ_U(pmm_free_pages(), 0);
}

TEST(pmm_excluded_ranges_never_handed_out)
{
	static const struct pmm_range excl[] = {
		{ 0x100000, 0x300000 },   /* core image */
		{ 0x800000, 0x900800 },   /* module, unaligned end */
		{ 0x1234, 0x2000 },       /* low, unaligned base */
		{ 0x3fff800, 0x3fff900 }, /* inside the last page */
	};
	uint64_t total;

	CHECK_EQ_I(init(pc, N(pc), excl, N(excl)), 0);
	CHECK_EQ_U(bitmap_phys, 0x300000);
	total = pmm_total_pages();
	CHECK_EQ_U(total, PC_LOW_PAGES + PC_HIGH_PAGES - 1 /* bitmap */ - 0x200 - 0x101 - 1 - 1);
	CHECK_EQ_U(drain(pc, N(pc), excl, N(excl), 0, ~0ull), total);
	CHECK_EQ_U(pmm_free_pages(), 0);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 0, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc_page(), 0);
	CHECK_EQ_U(pmm_alloc(2, PAGE_SIZE, 0, ~0ull), 0);
}

/* An exclusion reaching the top of the address space still excludes. */
TEST(pmm_exclusion_to_top)
{
	static const struct pmm_range excl[] = { { 32 * MiB, ~0ull } };

	CHECK_EQ_I(init(pc, N(pc), excl, N(excl)), 0);
	CHECK_EQ_U(drain(pc, N(pc), excl, N(excl), LOW_MEM_END, ~0ull), 31 * MiB / PAGE_SIZE - 1);
}

TEST(pmm_no_usable_memory)
{
	static const struct boot_mem_region none[] = {
		{ 0x0, 0xa0000, R }, { 0x100000, MiB, BOOT_MEM_ACPI_RECLAIM },
	};
	static const struct boot_mem_region low_only[] = { { 0x1000, 0x9e000, U } };
	static const struct pmm_range all_high[] = { { MiB, 64 * MiB } };

	CHECK_EQ_I(init(none, N(none), NULL, 0), -ENOMEM);
	CHECK(unit_log_has("pmm: the memory map has no usable memory"));
	CHECK_EQ_I(init(none, 0, NULL, 0), -ENOMEM);
	CHECK(unit_log_has("no usable memory"));
	CHECK_EQ_I(init(low_only, N(low_only), NULL, 0), -ENOMEM);
	CHECK(unit_log_has("no room for a 4 KiB page bitmap"));
	CHECK_EQ_I(init(pc, N(pc), all_high, N(all_high)), -ENOMEM);
	CHECK(unit_log_has("no room for"));
}

/* The bitmap needs several pages and a run that is not excluded. */
TEST(pmm_bitmap_placement)
{
	static const struct boot_mem_region map[] = {
		{ 0x1000, 0x9e000, U },
		{ 0x100000, 0x3000, U },         /* too small for the bitmap */
		{ 0x200000, 0x100000, U },       /* excluded below */
		{ 0x1000000, 1024 * MiB, U },
		{ 0x100000000ull, 1024 * MiB, U }, /* top 5 GiB: 160 KiB bitmap */
	};
	static const struct pmm_range excl[] = { { 0x200000, 0x300000 }, { 0x1000000, 0x1008000 } };
	uint64_t total;

	CHECK_EQ_I(init(map, N(map), excl, N(excl)), 0);
	CHECK_EQ_U(bitmap_len, 160 * 1024);
	CHECK_EQ_U(bitmap_phys, 0x1008000);
	total = pmm_total_pages();
	CHECK_EQ_U(total, 158 + 3 + 0 + (1024 * MiB - 0x8000 - 160 * 1024) / PAGE_SIZE +
				  1024 * MiB / PAGE_SIZE);
	CHECK_EQ_U(drain(map, N(map), excl, N(excl), 0, ~0ull), total);
}

TEST(pmm_alignment_2m_runs)
{
	uint64_t a, b, c;

	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	/* the bitmap sits at 1 MiB, so the first 2 MiB run starts at 2 MiB */
	a = pmm_alloc(512, 2 * MiB, 0, ~0ull);
	CHECK_EQ_U(a, 2 * MiB);
	b = pmm_alloc(512, 2 * MiB, 0, ~0ull);
	CHECK_EQ_U(b, 4 * MiB);
	/* a single page in the way pushes the next run to the next boundary */
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 6 * MiB + 0x5000, ~0ull), 6 * MiB + 0x5000);
	c = pmm_alloc(512, 2 * MiB, 0, ~0ull);
	CHECK_EQ_U(c, 8 * MiB);
	/* smaller alignments and run lengths */
	a = pmm_alloc(3, 0x4000, 6 * MiB, ~0ull);
	CHECK_EQ_U(a, 6 * MiB);
	b = pmm_alloc(3, 0x4000, 6 * MiB, ~0ull);
	CHECK_EQ_U(b, 6 * MiB + 0x8000); /* the page at 6 MiB + 0x5000 is taken */
	CHECK_EQ_U(pmm_alloc(1, 1 * MiB, 0, ~0ull), 7 * MiB);
	/* alignment below a page is a page; 1 GiB runs do not fit in 64 MiB */
	CHECK(pmm_alloc(1, 16, 0, ~0ull) != 0);
	CHECK_EQ_U(pmm_alloc(1, 1ull << 30, MiB, ~0ull), 0);
	/* 2 MiB-aligned, and nothing below 1 MiB was needed for it */
	for (int i = 0; i < 20; i++) {
		a = pmm_alloc(512, 2 * MiB, LOW_MEM_END, ~0ull);
		CHECK(a && a % (2 * MiB) == 0);
	}
}

TEST(pmm_bad_requests)
{
	uint64_t free0;

	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	free0 = pmm_free_pages();
	CHECK_EQ_U(pmm_alloc(0, PAGE_SIZE, 0, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc(1, 0x3000, 0, ~0ull), 0);   /* not a power of two */
	CHECK_EQ_U(pmm_alloc(2, 0x6000, 0, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc(PC_HIGH_PAGES + PC_LOW_PAGES, PAGE_SIZE, 0, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc((size_t)-1, PAGE_SIZE, 0, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc((size_t)-1 / 2, PAGE_SIZE, 0, ~0ull), 0);
	CHECK_EQ_U(pmm_free_pages(), free0);
}

TEST(pmm_min_max_bounds)
{
	uint64_t a;

	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	/* a one-page window */
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 32 * MiB, 32 * MiB + PAGE_SIZE), 32 * MiB);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 32 * MiB, 32 * MiB + PAGE_SIZE), 0);
	/* unaligned min rounds up, unaligned max rounds down */
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 33 * MiB + 1, ~0ull), 33 * MiB + PAGE_SIZE);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 34 * MiB, 34 * MiB + 0x1fff), 34 * MiB);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 34 * MiB, 34 * MiB + 0x1fff), 0);
	/* empty and inverted windows */
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 40 * MiB, 40 * MiB), 0);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 41 * MiB, 40 * MiB), 0);
	CHECK_EQ_U(pmm_alloc(4, PAGE_SIZE, 40 * MiB, 40 * MiB + 3 * PAGE_SIZE), 0);
	/* windows above the top of memory */
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, 64 * MiB, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, ~0ull - 10, ~0ull), 0);
	CHECK_EQ_U(pmm_alloc(2, PAGE_SIZE, ~0ull - 10, ~0ull), 0);
	/* max past the top is clamped: the last page is there */
	a = pmm_alloc(1, PAGE_SIZE, 64 * MiB - PAGE_SIZE, ~0ull);
	CHECK_EQ_U(a, 64 * MiB - PAGE_SIZE);
	/* a run in a window */
	a = pmm_alloc(16, PAGE_SIZE, 50 * MiB, 50 * MiB + 16 * PAGE_SIZE);
	CHECK_EQ_U(a, 50 * MiB);
	/* every page in a window, then none */
	CHECK_EQ_U(drain(pc, N(pc), NULL, 0, 20 * MiB, 21 * MiB), 256);
}

TEST(pmm_free_and_realloc)
{
	uint64_t free0, a, b, run;

	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	free0 = pmm_free_pages();
	a = pmm_alloc_page();
	b = pmm_alloc_page();
	CHECK(a && b && a != b);
	CHECK_EQ_U(pmm_free_pages(), free0 - 2);
	pmm_free(a, 1);
	CHECK_EQ_U(pmm_free_pages(), free0 - 1);
	pmm_free(b, 1);
	CHECK_EQ_U(pmm_free_pages(), free0);
	CHECK_EQ_U(pmm_total_pages(), free0);

	run = pmm_alloc(512, 2 * MiB, 0, ~0ull);
	CHECK_EQ_U(pmm_free_pages(), free0 - 512);
	pmm_free(run, 512);
	CHECK_EQ_U(pmm_free_pages(), free0);
	CHECK_EQ_U(pmm_alloc(512, 2 * MiB, 0, ~0ull), run);

	/* exhausted: a freed page is the one that comes back */
	while (pmm_alloc_page())
		;
	CHECK_EQ_U(pmm_alloc_page(), 0);
	pmm_free(5 * MiB, 1);
	CHECK_EQ_U(pmm_alloc_page(), 5 * MiB);
	CHECK_EQ_U(pmm_alloc_page(), 0);
	pmm_free(7 * MiB, 3);
	CHECK_EQ_U(pmm_alloc(3, PAGE_SIZE, LOW_MEM_END, ~0ull), 7 * MiB);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, LOW_MEM_END, ~0ull), 0);
}

/* Next-fit: the hint moves on, and the search wraps around to freed pages. */
TEST(pmm_hint_wraps)
{
	static const struct boot_mem_region small[] = { { 0x100000, 0x100000, U } };
	uint64_t a[256];
	unsigned n = 0;

	CHECK_EQ_I(init(small, N(small), NULL, 0), 0);
	CHECK_EQ_U(pmm_total_pages(), 255);
	while (n < 256 && (a[n] = pmm_alloc_page()))
		n++;
	CHECK_EQ_U(n, 255);
	for (unsigned i = 1; i < n; i++)
		CHECK(a[i] == a[i - 1] + PAGE_SIZE);
	pmm_free(a[10], 1);
	pmm_free(a[200], 1);
	/* the hint is past the end: the search wraps and finds a[10] first */
	CHECK_EQ_U(pmm_alloc_page(), a[10]);
	CHECK_EQ_U(pmm_alloc_page(), a[200]);
	CHECK_EQ_U(pmm_alloc_page(), 0);
}

/* A sparse 4 GiB map: the scan skips whole words of used pages. */
TEST(pmm_sparse_large_map)
{
	static const struct boot_mem_region map[] = {
		{ 0x1000, 0x9e000, U }, { 0xe0000000ull, 0x20000000ull, U },
	};
	uint64_t a;

	CHECK_EQ_I(init(map, N(map), NULL, 0), 0);
	CHECK_EQ_U(pmm_top(), 4096 * MiB);
	CHECK_EQ_U(bitmap_phys, 0xe0000000ull);
	a = pmm_alloc_page();
	CHECK_EQ_U(a, 0xe0000000ull + bitmap_len);
	a = pmm_alloc(512, 2 * MiB, 0, ~0ull);
	CHECK_EQ_U(a, 0xe0200000ull);
	CHECK_EQ_U(pmm_alloc(1, PAGE_SIZE, LOW_MEM_END, 0xe0000000ull), 0);
}

/* Re-initialising starts from scratch. */
TEST(pmm_reinit)
{
	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	while (pmm_alloc_page())
		;
	CHECK_EQ_I(init(pc, N(pc), NULL, 0), 0);
	CHECK_EQ_U(pmm_free_pages(), pmm_total_pages());
	CHECK(pmm_alloc_page() != 0);
}
