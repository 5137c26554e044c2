// SPDX-License-Identifier: MIT
/* arch/x86_64/ept.c: map, unmap, walk, leaf sizes, rollback, table accounting. */
#include <stdlib.h>

#include "arch/x86_64/ept.c"
#include "tests/unit/unit.h"

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

/* --- a host "physical memory" for table pages ---------------------------- */

#define MAX_TABLES 2048
#define FAKE_HPA   0x7000000000ull /* table pages live at FAKE_HPA + i * 4 KiB */

static void *pages[MAX_TABLES];
static unsigned n_alloc, n_free, live;
static int fail_after = -1; /* allocations that succeed before they fail; -1 never */

static uint64_t t_alloc(void *ctx)
{
	(void)ctx;
	if (fail_after == 0)
		return 0;
	if (fail_after > 0)
		fail_after--;
	for (unsigned i = 0; i < MAX_TABLES; i++) {
		if (pages[i])
			continue;
		pages[i] = aligned_alloc(4096, 4096);
		memset(pages[i], 0, 4096);
		n_alloc++, live++;
		return FAKE_HPA + (uint64_t)i * 4096;
	}
	return 0;
}

static unsigned slot_of(uint64_t hpa)
{
	uint64_t i = (hpa - FAKE_HPA) / 4096;

	if (hpa < FAKE_HPA || (hpa & 0xfff) || i >= MAX_TABLES || !pages[i]) {
		fprintf(stderr, "bad table hpa %#llx\n", (unsigned long long)hpa);
		abort();
	}
	return (unsigned)i;
}

static void t_free(void *ctx, uint64_t hpa)
{
	unsigned i = slot_of(hpa);

	(void)ctx;
	free(pages[i]);
	pages[i] = NULL;
	n_free++, live--;
}

static void *t_ptr(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return pages[slot_of(hpa)];
}

static const struct ept_ops ops = { t_alloc, t_free, t_ptr, NULL };

static struct ept ep;

static void setup(unsigned caps)
{
	n_alloc = n_free = live = 0;
	fail_after = -1;
	CHECK_EQ_I(ept_init(&ep, &ops, caps), 0);
}

/* Destroy and prove every table came back. */
static void teardown(void)
{
	ept_destroy(&ep);
	CHECK_EQ_U(live, 0);
	CHECK_EQ_U(n_alloc, n_free);
	CHECK_EQ_U(ep.tables, 0);
}

/* The leaf level at gpa, 0 when unmapped; *hpa out. */
static unsigned lvl_at(uint64_t gpa, uint64_t *hpa)
{
	unsigned level = 0;
	uint64_t h = 0;

	if (ept_walk(&ep, gpa, &h, NULL, &level))
		return 0;
	if (hpa)
		*hpa = h;
	return level;
}

/* The raw leaf entry for gpa (0 when unmapped). */
static uint64_t raw_leaf(uint64_t gpa)
{
	const uint64_t *t = table_at(&ep, ep.root);

	for (unsigned level = EPT_LEVELS; level; level--) {
		uint64_t e = t[index_of(gpa, level)];

		if (!present(e) || is_leaf(e, level))
			return e;
		t = child_table(&ep, e);
	}
	return 0;
}

/* --- tests ----------------------------------------------------------------- */

TEST(ept_init_and_eptp)
{
	setup(0);
	CHECK(ep.root != 0);
	CHECK_EQ_U(ep.tables, 1);
	CHECK_EQ_U(live, 1);
	CHECK_EQ_U(ept_eptp(&ep) & 0xfff, 0x1e); /* WB (6), walk length 4 (3 << 3) */
	CHECK_EQ_U(ept_eptp(&ep) & ~0xfffull, ep.root);
	teardown();

	setup(EPT_CAP_AD | EPT_CAP_2M);
	CHECK_EQ_U(ept_eptp(&ep) & 0xfff, 0x5e); /* + A/D enable, bit 6 */
	CHECK(ep.large_2m && !ep.large_1g && ep.ad);
	teardown();

	setup(EPT_CAP_1G); /* 1G without 2M: not used */
	CHECK(!ep.large_1g && !ep.large_2m);
	teardown();

	CHECK_EQ_I(ept_init(&ep, &ops, 0x100), -EINVAL);
	fail_after = 0;
	CHECK_EQ_I(ept_init(&ep, &ops, 0), -ENOMEM);
	fail_after = -1;
	ept_destroy(&ep); /* no root: harmless */
}

TEST(ept_map_4k_and_walk)
{
	uint64_t hpa = 0;
	unsigned perm = 0, level = 0;

	setup(EPT_CAP_2M | EPT_CAP_1G);
	CHECK_EQ_I(ept_map(&ep, 0x5000, 0x123456000, 0x1000, EPT_R | EPT_W, EPT_MT_WB), 0);
	CHECK_EQ_I(ept_walk(&ep, 0x5abc, &hpa, &perm, &level), 0);
	CHECK_EQ_U(hpa, 0x123456abc);
	CHECK_EQ_U(perm, EPT_R | EPT_W);
	CHECK_EQ_U(level, EPT_LEVEL_4K);
	CHECK_EQ_I(ept_walk(&ep, 0x4fff, &hpa, &perm, &level), -ENOENT);
	CHECK_EQ_I(ept_walk(&ep, 0x6000, NULL, NULL, NULL), -ENOENT);
	CHECK_EQ_I(ept_walk(&ep, EPT_GPA_LIMIT, NULL, NULL, NULL), -EINVAL);
	CHECK_EQ_U(ep.tables, 4); /* PML4, PDPT, PD, PT */
	CHECK_EQ_U(live, 4);
	/* The entry as the processor sees it: address | WB << 3 | RW. */
	CHECK_EQ_U(raw_leaf(0x5000), 0x123456000ull | (6 << 3) | 3);
	CHECK_EQ_U(((uint64_t *)table_at(&ep, ep.root))[0] & 0xfff, 7); /* tables: RWX */
	teardown();
}

TEST(ept_large_pages_by_caps_and_alignment)
{
	uint64_t hpa;

	setup(EPT_CAP_2M | EPT_CAP_1G);
	CHECK_EQ_I(ept_map(&ep, GB(1), GB(2), GB(1), EPT_RWX, EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(GB(1) + 0x1234, &hpa), EPT_LEVEL_1G);
	CHECK_EQ_U(hpa, GB(2) + 0x1234);
	CHECK(raw_leaf(GB(1)) & EPTE_LARGE);
	CHECK_EQ_U(ep.tables, 2);
	/* 2 MiB-aligned gpa, hpa only 4 KiB-aligned: 4 KiB leaves. */
	CHECK_EQ_I(ept_map(&ep, MB(4), MB(64) + KB(4), MB(2), EPT_R, EPT_MT_UC), 0);
	CHECK_EQ_U(lvl_at(MB(4), &hpa), EPT_LEVEL_4K);
	CHECK_EQ_U(hpa, MB(64) + KB(4));
	CHECK_EQ_U(lvl_at(MB(6) - 1, &hpa), EPT_LEVEL_4K);
	CHECK_EQ_U(hpa, MB(66) + KB(4) - 1);
	/* Aligned hpa, unaligned gpa: the same. */
	CHECK_EQ_I(ept_map(&ep, MB(8) + KB(4), MB(128), MB(2), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(MB(8) + KB(4), NULL), EPT_LEVEL_4K);
	/* Both aligned, 2 MiB: one leaf. */
	CHECK_EQ_I(ept_map(&ep, MB(12), MB(256), MB(2), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(MB(13), NULL), EPT_LEVEL_2M);
	teardown();

	setup(EPT_CAP_2M); /* 1G-aligned but no 1G capability: 512 2M leaves */
	CHECK_EQ_I(ept_map(&ep, GB(1), GB(2), GB(1), EPT_RWX, EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(GB(2) - 1, NULL), EPT_LEVEL_2M);
	CHECK_EQ_U(ep.tables, 3);
	teardown();

	setup(0); /* no large pages at all */
	CHECK_EQ_I(ept_map(&ep, 0, 0, MB(4), EPT_RWX, EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(MB(2), NULL), EPT_LEVEL_4K);
	CHECK_EQ_U(ep.tables, 5); /* PML4, PDPT, PD, 2 PTs */
	teardown();
}

TEST(ept_mixed_leaf_sizes)
{
	uint64_t hpa, base = GB(1) - MB(2);

	setup(EPT_CAP_2M | EPT_CAP_1G);
	/* 4K, 2M, 4K: a 4 KiB head and tail around one aligned 2 MiB. */
	CHECK_EQ_I(ept_map(&ep, MB(2) - KB(4), GB(4) + MB(2) - KB(4), MB(2) + KB(8), EPT_RWX,
			   EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(MB(2) - KB(4), NULL), EPT_LEVEL_4K);
	CHECK_EQ_U(lvl_at(MB(2), &hpa), EPT_LEVEL_2M);
	CHECK_EQ_U(hpa, GB(4) + MB(2));
	CHECK_EQ_U(lvl_at(MB(4), &hpa), EPT_LEVEL_4K);
	CHECK_EQ_U(hpa, GB(4) + MB(4));
	CHECK_EQ_U(lvl_at(MB(4) + KB(4), NULL), 0);
	/* 2M, 1G, 2M across a 1 GiB boundary. */
	CHECK_EQ_I(ept_map(&ep, base, GB(8) + base, GB(1) + MB(4), EPT_R | EPT_X, EPT_MT_WB), 0);
	CHECK_EQ_U(lvl_at(base, NULL), EPT_LEVEL_2M);
	CHECK_EQ_U(lvl_at(GB(1), &hpa), EPT_LEVEL_1G);
	CHECK_EQ_U(hpa, GB(9));
	CHECK_EQ_U(lvl_at(GB(2) + MB(1), &hpa), EPT_LEVEL_2M);
	CHECK_EQ_U(hpa, GB(10) + MB(1));
	CHECK_EQ_U(lvl_at(GB(2) + MB(2), NULL), 0);
	teardown();
}

TEST(ept_overlap_changes_nothing)
{
	unsigned tables, allocs;

	setup(EPT_CAP_2M | EPT_CAP_1G);
	CHECK_EQ_I(ept_map(&ep, MB(2) + KB(8), 0x80000000, KB(4), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_I(ept_map(&ep, GB(3), GB(3), GB(1), EPT_R, EPT_MT_WB), 0);
	tables = (unsigned)ep.tables, allocs = n_alloc;
	/* A range that would need new tables and ends on a mapped page. */
	CHECK_EQ_I(ept_map(&ep, GB(3) - MB(2) - KB(4), 0, MB(2) + KB(8), EPT_R, EPT_MT_WB),
		   -EEXIST);
	CHECK_EQ_I(ept_map(&ep, 0, 0, MB(4), EPT_R, EPT_MT_WB), -EEXIST);
	/* Small inside large. */
	CHECK_EQ_I(ept_map(&ep, GB(3) + MB(5), 0, KB(4), EPT_R, EPT_MT_WB), -EEXIST);
	/* Large over small. */
	CHECK_EQ_I(ept_map(&ep, MB(2), MB(2), MB(2), EPT_R, EPT_MT_WB), -EEXIST);
	CHECK_EQ_U(ep.tables, tables);
	CHECK_EQ_U(n_alloc, allocs);
	CHECK_EQ_U(lvl_at(0, NULL), 0);
	CHECK_EQ_U(lvl_at(MB(2), NULL), 0);
	CHECK_EQ_U(lvl_at(GB(3) - MB(2) - KB(4), NULL), 0);
	CHECK_EQ_U(lvl_at(MB(2) + KB(8), NULL), EPT_LEVEL_4K);
	/* Right next to it is fine. */
	CHECK_EQ_I(ept_map(&ep, MB(2) + KB(12), 0, KB(4), EPT_R, EPT_MT_WB), 0);
	teardown();
}

TEST(ept_map_out_of_memory_rolls_back)
{
	/* 4K + 2M + 4K across a PML4 boundary: needs 6 tables beyond the root. */
	uint64_t gpa = GB(512) - KB(4), size = KB(4) + MB(2) + KB(4);

	for (int k = 0; k < 6; k++) {
		setup(EPT_CAP_2M);
		fail_after = k;
		CHECK_EQ_I(ept_map(&ep, gpa, gpa, size, EPT_RWX, EPT_MT_WB), -ENOMEM);
		CHECK_EQ_U(live, 1);
		CHECK_EQ_U(ep.tables, 1);
		CHECK_EQ_U(lvl_at(gpa, NULL), 0);
		CHECK_EQ_U(lvl_at(GB(512), NULL), 0);
		fail_after = -1;
		CHECK_EQ_I(ept_map(&ep, gpa, gpa, size, EPT_RWX, EPT_MT_WB), 0);
		CHECK_EQ_U(ep.tables, 7);
		CHECK_EQ_U(lvl_at(GB(512), NULL), EPT_LEVEL_2M);
		teardown();
	}
}

TEST(ept_unmap_splits_large_leaves)
{
	uint64_t hpa;

	setup(EPT_CAP_2M | EPT_CAP_1G);
	CHECK_EQ_I(ept_map(&ep, GB(1), GB(5), GB(1), EPT_R | EPT_X, EPT_MT_UC), 0);
	/* Leaf with accessed and dirty set by the "processor": kept by the split. */
	{
		uint64_t *pdpt = child_table(&ep, ((uint64_t *)table_at(&ep, ep.root))[0]);

		pdpt[1] |= EPTE_ACCESSED | EPTE_DIRTY;
	}
	CHECK_EQ_I(ept_unmap(&ep, GB(1) + MB(7), KB(4)), 0);
	CHECK_EQ_U(lvl_at(GB(1) + MB(7), NULL), 0);
	CHECK_EQ_U(lvl_at(GB(1) + MB(7) - KB(4), &hpa), EPT_LEVEL_4K);
	CHECK_EQ_U(hpa, GB(5) + MB(7) - KB(4));
	CHECK_EQ_U(lvl_at(GB(1) + MB(7) + KB(4), &hpa), EPT_LEVEL_4K);
	CHECK_EQ_U(hpa, GB(5) + MB(7) + KB(4));
	CHECK_EQ_U(lvl_at(GB(1) + MB(8), &hpa), EPT_LEVEL_2M);
	CHECK_EQ_U(hpa, GB(5) + MB(8));
	CHECK_EQ_U(lvl_at(GB(1), NULL), EPT_LEVEL_2M);
	CHECK_EQ_U(raw_leaf(GB(1) + MB(6)),
		   (GB(5) + MB(6)) | 5 | EPTE_ACCESSED | EPTE_DIRTY); /* RX, UC (0) */
	CHECK_EQ_U(raw_leaf(GB(1)) & ~EPTE_ADDR_MASK, 5 | EPTE_LARGE | EPTE_ACCESSED | EPTE_DIRTY);
	CHECK_EQ_U(ep.tables, 4); /* PML4, PDPT, the new PD and PT */
	/* Unmap across a 2M boundary of the split area, cutting two 2M leaves. */
	CHECK_EQ_I(ept_unmap(&ep, GB(1) + MB(9), MB(2)), 0);
	CHECK_EQ_U(ep.tables, 6);
	CHECK_EQ_U(lvl_at(GB(1) + MB(9) - KB(4), NULL), EPT_LEVEL_4K);
	CHECK_EQ_U(lvl_at(GB(1) + MB(10), NULL), 0);
	CHECK_EQ_U(lvl_at(GB(1) + MB(11), NULL), EPT_LEVEL_4K);
	teardown();
}

TEST(ept_unmap_out_of_memory_changes_nothing)
{
	for (int k = 0; k < 4; k++) {
		setup(EPT_CAP_2M | EPT_CAP_1G);
		CHECK_EQ_I(ept_map(&ep, 0, 0, GB(2), EPT_RWX, EPT_MT_WB), 0);
		fail_after = k;
		/* Both ends cut a 1G and a 2M leaf: 4 tables. */
		CHECK_EQ_I(ept_unmap(&ep, GB(1) - MB(3), MB(6)), -ENOMEM);
		CHECK_EQ_U(ep.tables, 2);
		CHECK_EQ_U(live, 2);
		CHECK_EQ_U(lvl_at(GB(1) - MB(3), NULL), EPT_LEVEL_1G);
		fail_after = -1;
		CHECK_EQ_I(ept_unmap(&ep, GB(1) - MB(3), MB(6)), 0);
		CHECK_EQ_U(ep.tables, 6);
		CHECK_EQ_U(lvl_at(GB(1) - MB(3), NULL), 0);
		CHECK_EQ_U(lvl_at(GB(1) - MB(3) - KB(4), NULL), EPT_LEVEL_4K);
		CHECK_EQ_U(lvl_at(GB(1) - MB(4), NULL), EPT_LEVEL_4K); /* the cut 2M leaf */
		CHECK_EQ_U(lvl_at(GB(1) - MB(5), NULL), EPT_LEVEL_2M);
		CHECK_EQ_U(lvl_at(GB(1) + MB(3), NULL), EPT_LEVEL_4K);
		teardown();
	}
}

TEST(ept_unmap_frees_empty_tables)
{
	setup(EPT_CAP_2M);
	CHECK_EQ_I(ept_map(&ep, 0x1000, 0x1000, KB(4), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_I(ept_map(&ep, GB(600), 0x2000, KB(4), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_U(ep.tables, 7);
	CHECK_EQ_I(ept_unmap(&ep, GB(600), KB(4)), 0);
	CHECK_EQ_U(ep.tables, 4);
	CHECK_EQ_U(live, 4);
	CHECK_EQ_U(n_free, 3);
	CHECK_EQ_U(((uint64_t *)table_at(&ep, ep.root))[1], 0);
	/* Holes are fine, and unmapping nothing frees nothing. */
	CHECK_EQ_I(ept_unmap(&ep, GB(600), GB(1)), 0);
	CHECK_EQ_U(ep.tables, 4);
	CHECK_EQ_I(ept_unmap(&ep, 0, GB(512)), 0);
	CHECK_EQ_U(ep.tables, 1);
	CHECK_EQ_U(lvl_at(0x1000, NULL), 0);
	/* Map, unmap whole 2M leaves: back to the root alone. */
	CHECK_EQ_I(ept_map(&ep, MB(2), MB(2), MB(6), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_U(ep.tables, 3);
	CHECK_EQ_I(ept_unmap(&ep, MB(2), MB(6)), 0);
	CHECK_EQ_U(ep.tables, 1);
	CHECK_EQ_U(live, 1);
	teardown();
}

TEST(ept_destroy_frees_everything)
{
	setup(EPT_CAP_2M | EPT_CAP_1G | EPT_CAP_AD);
	CHECK_EQ_I(ept_map(&ep, 0, 0, MB(3) + KB(4), EPT_RWX, EPT_MT_WB), 0);
	CHECK_EQ_I(ept_map(&ep, GB(4), GB(4) + KB(4), MB(4), EPT_RWX, EPT_MT_WB), 0);
	CHECK_EQ_I(ept_map(&ep, GB(700), GB(1), GB(2), EPT_R, EPT_MT_WB), 0);
	CHECK_EQ_I(ept_unmap(&ep, GB(701) + MB(2) + KB(4), KB(4)), 0);
	CHECK(live > 8);
	CHECK_EQ_U(live, ep.tables);
	teardown();
	/* And the struct can be used again. */
	setup(0);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_R, EPT_MT_WB), 0);
	teardown();
}

TEST(ept_bad_arguments)
{
	setup(EPT_CAP_2M);
	CHECK_EQ_I(ept_map(&ep, 0x800, 0, KB(4), EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0x800, KB(4), EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, 0x800, EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, 0, EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, EPT_GPA_LIMIT - KB(4), 0, KB(8), EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, EPT_GPA_LIMIT, 0, KB(4), EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, EPT_HPA_LIMIT - KB(4), KB(8), EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, KB(4), 0, UINT64_MAX - 0xfff, EPT_R, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), 0, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_W, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_W | EPT_X, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_X, EPT_MT_WB), -EINVAL); /* no XO cap */
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), 8, EPT_MT_WB), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_R, 2), -EINVAL);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_R, 7), -EINVAL);
	CHECK_EQ_I(ept_unmap(&ep, 0x800, KB(4)), -EINVAL);
	CHECK_EQ_I(ept_unmap(&ep, 0, 0), -EINVAL);
	CHECK_EQ_I(ept_unmap(&ep, EPT_GPA_LIMIT - KB(4), KB(8)), -EINVAL);
	CHECK_EQ_U(ep.tables, 1);
	/* The largest legal range works. */
	CHECK_EQ_I(ept_map(&ep, EPT_GPA_LIMIT - KB(4), EPT_HPA_LIMIT - KB(4), KB(4), EPT_R,
			   EPT_MT_WC), 0);
	CHECK_EQ_U(lvl_at(EPT_GPA_LIMIT - 1, NULL), EPT_LEVEL_4K);
	teardown();

	setup(EPT_CAP_XO);
	CHECK_EQ_I(ept_map(&ep, 0, 0, KB(4), EPT_X, EPT_MT_WB), 0);
	CHECK_EQ_U(raw_leaf(0) & 7, EPT_X);
	teardown();
}

static const char *describe(uint64_t q)
{
	static char buf[200];

	CHECK(ept_describe_violation(q, buf, sizeof(buf)) > 0);
	return buf;
}

TEST(ept_describe_violation_words)
{
	char small[16];

	CHECK_STR(describe(0x181 /* read, nothing mapped, GLA valid, final */),
		  "read from a page that is not mapped; at the translation of a guest-linear "
		  "address");
	CHECK_STR(describe(0x8a /* write, readable, GLA valid, walk */),
		  "write to a page that is readable, not writable, not executable; while walking "
		  "the guest's page tables");
	CHECK_STR(describe(0x2c /* fetch, readable, executable */),
		  "instruction fetch from a page that is readable, not writable, executable; no "
		  "guest-linear address");
	CHECK_STR(describe(0x1003 | 0x78),
		  "read-modify-write of a page that is readable, writable, executable "
		  "(user-executable); no guest-linear address; NMI unblocked by IRET");
	CHECK_EQ_I(ept_describe_violation(0x181, small, sizeof(small)), -ENOSPC);
	CHECK_EQ_U(strlen(small), sizeof(small) - 1);
	CHECK_EQ_I(ept_describe_violation(0, small, 0), -EINVAL);
	CHECK_EQ_I(ept_describe_violation(0, small, 1), -ENOSPC);
	CHECK_STR(small, "");
}
