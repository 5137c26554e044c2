// SPDX-License-Identifier: MIT
/* arch/x86_64/memmap.c: normalizing messy firmware memory maps. */
#include "arch/x86_64/memmap.c"
#include "tests/unit/unit.h"

/* Maps below are { base, len, type }; the reserved field is 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define U BOOT_MEM_USABLE
#define R BOOT_MEM_RESERVED
#define AR BOOT_MEM_ACPI_RECLAIM
#define AN BOOT_MEM_ACPI_NVS
#define BAD BOOT_MEM_BAD
#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct boot_mem_region map[BOOT_MAX_MEM];

/* Normalize a copy of in (capacity cap) into map; returns the count. */
static int norm_cap(const struct boot_mem_region *in, unsigned n, unsigned cap)
{
	memset(map, 0xa5, sizeof(map));
	if (n)
		memcpy(map, in, n * sizeof(*in));
	return memmap_normalize(map, n, cap);
}

static int norm(const struct boot_mem_region *in, unsigned n)
{
	return norm_cap(in, n, BOOT_MAX_MEM);
}

/* map[0..got) must equal want[0..n). */
#define CHECK_MAP(got, want)                                                    \
	do {                                                                    \
		CHECK_EQ_I((got), (int)N(want));                                \
		for (unsigned i_ = 0; (int)i_ < (got) && i_ < N(want); i_++) {  \
			CHECK_EQ_U(map[i_].base, (want)[i_].base);              \
			CHECK_EQ_U(map[i_].len, (want)[i_].len);                \
			CHECK_EQ_U(map[i_].type, (want)[i_].type);              \
		}                                                               \
	} while (0)

TEST(memmap_clean_map_unchanged)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x9f000, U }, { 0x9f000, 0x1000, R }, { 0xf0000, 0x10000, R },
		{ 0x100000, 0x7ff00000, U }, { 0xfec00000, 0x1000, R },
	};

	CHECK_MAP(norm(in, N(in)), in);
}

TEST(memmap_empty)
{
	CHECK_EQ_I(norm(NULL, 0), 0);
	CHECK_EQ_I(memmap_normalize(map, 0, 0), 0);
}

TEST(memmap_unsorted)
{
	static const struct boot_mem_region in[] = {
		{ 0x100000, 0x100000, U }, { 0xfee00000, 0x1000, R }, { 0x0, 0x9f000, U },
		{ 0xe0000, 0x20000, R }, { 0x300000, 0x1000, AN },
	};
	static const struct boot_mem_region want[] = {
		{ 0x0, 0x9f000, U }, { 0xe0000, 0x20000, R }, { 0x100000, 0x100000, U },
		{ 0x300000, 0x1000, AN }, { 0xfee00000, 0x1000, R },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

TEST(memmap_reserved_wins_overlap)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x10000, U }, { 0x8000, 0x1000, R }, /* hole in the middle */
		{ 0xf000, 0x3000, R },                       /* overlaps the tail */
		{ 0x11000, 0x3000, U },                      /* usable under reserved loses */
	};
	static const struct boot_mem_region want[] = {
		{ 0x0, 0x8000, U }, { 0x8000, 0x1000, R }, { 0x9000, 0x6000, U },
		{ 0xf000, 0x3000, R }, { 0x12000, 0x2000, U },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

/* Rank: usable < ACPI reclaim < ACPI NVS < reserved < bad, whatever the order. */
TEST(memmap_type_ranks)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x10000, BAD }, { 0x0, 0x20000, R }, { 0x0, 0x30000, AN },
		{ 0x0, 0x40000, AR }, { 0x0, 0x50000, U },
	};
	static const struct boot_mem_region want[] = {
		{ 0x0, 0x10000, BAD }, { 0x10000, 0x10000, R }, { 0x20000, 0x10000, AN },
		{ 0x30000, 0x10000, AR }, { 0x40000, 0x10000, U },
	};
	static const struct boot_mem_region rev[] = {
		{ 0x0, 0x50000, U }, { 0x0, 0x40000, AR }, { 0x0, 0x30000, AN },
		{ 0x0, 0x20000, R }, { 0x0, 0x10000, BAD },
	};

	CHECK_MAP(norm(in, N(in)), want);
	CHECK_MAP(norm(rev, N(rev)), want);
}

/* An unknown firmware type counts as reserved: it beats usable. */
TEST(memmap_unknown_type_beats_usable)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x4000, U }, { 0x1000, 0x1000, 12 },
	};

	CHECK_EQ_I(norm(in, N(in)), 3);
	CHECK_EQ_U(map[1].base, 0x1000);
	CHECK(map[1].type != U);
	CHECK_EQ_U(memmap_total(map, 3, U), 0x3000);
	CHECK_STR(memmap_type_name(map[1].type), "reserved");
}

/* Type 0 is unknown too: it is kept, and it beats usable like reserved. */
TEST(memmap_type_zero_is_reserved)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x4000, 0 }, { 0x1000, 0x8000, U },
	};
	static const struct boot_mem_region want[] = {
		{ 0x0, 0x4000, 0 }, { 0x4000, 0x5000, U },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

TEST(memmap_nested)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x100000, U }, { 0x10000, 0x10000, AR }, { 0x12000, 0x1000, BAD },
		{ 0x11000, 0x4000, U }, /* inside ACPI: loses */
	};
	static const struct boot_mem_region want[] = {
		{ 0x0, 0x10000, U }, { 0x10000, 0x2000, AR }, { 0x12000, 0x1000, BAD },
		{ 0x13000, 0xd000, AR }, { 0x20000, 0xe0000, U },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

TEST(memmap_unaligned_usable_shrinks)
{
	static const struct boot_mem_region in[] = {
		{ 0x1234, 0x5678 - 0x1234, U }, /* -> [0x2000, 0x5000) */
		{ 0x6100, 0xe00, U },           /* inside one page: vanishes */
		{ 0x7800, 0x1800, U },          /* -> [0x8000, 0x9000) */
		{ 0x9800, 0x123, R },           /* reserved edges stay exact */
		{ 0x10000, 0x1000, U },
	};
	static const struct boot_mem_region want[] = {
		{ 0x2000, 0x3000, U }, { 0x8000, 0x1000, U }, { 0x9800, 0x123, R },
		{ 0x10000, 0x1000, U },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

/* A reserved byte range costs the whole pages it touches, no more. */
TEST(memmap_reserved_inside_page)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x10000, U }, { 0x3800, 0x100, R },
	};
	static const struct boot_mem_region want[] = {
		{ 0x0, 0x3000, U }, { 0x3800, 0x100, R }, { 0x4000, 0xc000, U },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

TEST(memmap_adjacent_merge)
{
	static const struct boot_mem_region in[] = {
		{ 0x3000, 0x1000, U }, { 0x1000, 0x1000, U }, { 0x2000, 0x1000, U },
		{ 0x4000, 0x800, R },  { 0x4800, 0x800, R },  { 0x5000, 0x1000, AR },
		{ 0x7000, 0x1000, U }, /* gap before: stays separate */
	};
	static const struct boot_mem_region want[] = {
		{ 0x1000, 0x3000, U }, { 0x4000, 0x1000, R }, { 0x5000, 0x1000, AR },
		{ 0x7000, 0x1000, U },
	};

	CHECK_MAP(norm(in, N(in)), want);
}

/*
 * Two usable regions meeting or overlapping at an address inside a page:
 * together they cover the page, which must survive (merge, then align).
 */
TEST(memmap_usable_split_inside_page_keeps_page)
{
	static const struct boot_mem_region touching[] = {
		{ 0x1000, 0x2800, U }, { 0x3800, 0x2800, U },
	};
	static const struct boot_mem_region overlapping[] = {
		{ 0x3400, 0x2c00, U }, { 0x1000, 0x2800, U },
	};
	static const struct boot_mem_region want[] = { { 0x1000, 0x5000, U } };

	CHECK_MAP(norm(touching, N(touching)), want);
	CHECK_MAP(norm(overlapping, N(overlapping)), want);
}

TEST(memmap_zero_length_ignored)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x0, R }, { 0x1000, 0x4000, U }, { 0x2000, 0x0, BAD },
		{ 0xffffffffffff0000ull, 0, R },
	};
	static const struct boot_mem_region want[] = { { 0x1000, 0x4000, U } };
	static const struct boot_mem_region only_zero[] = { { 0x1000, 0, U }, { 0, 0, R } };

	CHECK_MAP(norm(in, N(in)), want);
	CHECK_EQ_I(norm(only_zero, N(only_zero)), 0);
}

/* base + len past 2^64 is clamped to the top of the address space. */
TEST(memmap_wraparound)
{
	static const struct boot_mem_region in[] = {
		{ 0x1000, 0x1000, U }, { 0xffffffffffff0000ull, 0x20000, R },
		{ 0xfffffffffff00000ull, 0x200000, U },
	};
	static const struct boot_mem_region want[] = {
		{ 0x1000, 0x1000, U },
		{ 0xfffffffffff00000ull, 0xf0000, U },
		{ 0xffffffffffff0000ull, 0xffff, R },
	};
	static const struct boot_mem_region all[] = { { 0x0, ~0ull, U } };
	static const struct boot_mem_region want_all[] = { { 0x0, ~0ull & ~0xfffull, U } };

	CHECK_MAP(norm(in, N(in)), want);
	CHECK_MAP(norm(all, N(all)), want_all);
}

/* A usable sliver in the last page of the address space vanishes; it must
 * not wrap into a region starting at 0. */
TEST(memmap_usable_in_last_page)
{
	static const struct boot_mem_region in[] = {
		{ 0xfffffffffffff001ull, 0xffe, U }, { 0x5000, 0x1000, U },
	};
	static const struct boot_mem_region wraps[] = {
		{ 0xfffffffffffff800ull, 0x1000, U },
	};
	static const struct boot_mem_region want[] = { { 0x5000, 0x1000, U } };

	CHECK_MAP(norm(in, N(in)), want);
	CHECK_EQ_I(norm(wraps, N(wraps)), 0);
}

TEST(memmap_e2big)
{
	static struct boot_mem_region in[BOOT_MAX_MEM + 1];
	static const struct boot_mem_region holes[] = {
		{ 0x0, 0x10000, U }, { 0x2000, 0x1000, R }, { 0x6000, 0x1000, R },
		{ 0xa000, 0x1000, R },
	};

	/* three holes split one usable region into seven */
	CHECK_EQ_I(norm_cap(holes, N(holes), 6), -E2BIG);
	CHECK_EQ_I(norm_cap(holes, N(holes), 7), 7);
	CHECK_EQ_I(norm_cap(holes, N(holes), 0), -E2BIG);
	for (unsigned i = 0; i < N(in); i++)
		in[i] = (struct boot_mem_region){ 0x2000ull * i, 0x1000, U };
	CHECK_EQ_I(memmap_normalize(in, BOOT_MAX_MEM + 1, BOOT_MAX_MEM), -E2BIG);
	CHECK_EQ_I(memmap_normalize(in, BOOT_MAX_MEM, BOOT_MAX_MEM), BOOT_MAX_MEM);
}

/* A full map of disjoint entries in reverse order comes out sorted. */
TEST(memmap_full_reverse)
{
	static struct boot_mem_region in[BOOT_MAX_MEM];
	int n;

	for (unsigned i = 0; i < BOOT_MAX_MEM; i++)
		in[i] = (struct boot_mem_region){ 0x3000ull * (BOOT_MAX_MEM - i), 0x1000,
						  i % 2 ? U : R };
	n = norm(in, BOOT_MAX_MEM);
	CHECK_EQ_I(n, BOOT_MAX_MEM);
	for (int i = 1; i < n; i++)
		CHECK(map[i - 1].base + map[i - 1].len < map[i].base);
	CHECK_EQ_U(memmap_total(map, (unsigned)n, U), BOOT_MAX_MEM / 2 * 0x1000ull);
	CHECK_EQ_U(memmap_total(map, (unsigned)n, R), BOOT_MAX_MEM / 2 * 0x1000ull);
}

TEST(memmap_total_and_names)
{
	static const struct boot_mem_region in[] = {
		{ 0x0, 0x9f000, U }, { 0x100000, 0x100000, U }, { 0x9f000, 0x1000, R },
		{ 0x200000, 0x3000, AR }, { 0x300000, 0x2000, AN }, { 0x400000, 0x1000, BAD },
	};

	CHECK_EQ_U(memmap_total(in, N(in), U), 0x19f000);
	CHECK_EQ_U(memmap_total(in, N(in), R), 0x1000);
	CHECK_EQ_U(memmap_total(in, N(in), AR), 0x3000);
	CHECK_EQ_U(memmap_total(in, N(in), AN), 0x2000);
	CHECK_EQ_U(memmap_total(in, N(in), 9), 0);
	CHECK_EQ_U(memmap_total(in, 0, U), 0);
	CHECK_STR(memmap_type_name(U), "usable");
	CHECK_STR(memmap_type_name(R), "reserved");
	CHECK_STR(memmap_type_name(AR), "ACPI data");
	CHECK_STR(memmap_type_name(AN), "ACPI NVS");
	CHECK_STR(memmap_type_name(BAD), "bad");
	CHECK_STR(memmap_type_name(77), "reserved");
}
