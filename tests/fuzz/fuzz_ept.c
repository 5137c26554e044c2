// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the EPT code (arch/x86_64/ept.c).
 *
 * Input: one capability byte (EPT_CAP_* in its low 4 bits), then up to
 * MAX_OPS operations of OP_SIZE bytes each (see struct op_bytes): map,
 * unmap or walk of a range inside a 2 GiB guest-physical window, with an
 * optional allocation failure after a few tables. A reference model keeps
 * one word per 4 KiB page of the window. Checked:
 *   - each result is the one the model predicts (-EINVAL, -EEXIST, 0, or
 *     -ENOMEM only when a failure was injected), and a failed call
 *     changes neither the translations nor the tables held;
 *   - walks agree with the model at the range's edges and inside it;
 *   - after a failure and at the end, the whole tree: every leaf agrees
 *     with the model and together they cover exactly the mapped pages,
 *     leaves are well-formed and only at allowed levels, no table but the
 *     root is empty, and the tables reachable are the ones held;
 *   - ept_destroy() returns every table;
 *   - ept_describe_violation() on the first bytes stays in its buffer.
 *
 *   build/fuzz/fuzz_ept -max_total_time=60 <corpus dir>
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/ept.c"

#define WINDOW      (2ull << 30)           /* guest-physical [0, 2 GiB) */
#define NPAGES      (WINDOW >> 12)
#define HPA_BASE    0x100000000000ull      /* 16 TiB: host addresses differ from guest ones */
#define MAX_OPS     48
#define MAX_TABLES  1100        /* 2 GiB of 4 KiB leaves: 1024 PTs, 2 PDs, PDPT, root */
#define ARENA_HPA   0x7000000000ull
#define MODEL_MAP   (1ull << 63)           /* model word: MODEL_MAP | hpa | memtype << 3 | perm */

/* The model's bulk loops stay out of coverage tracing: it costs 10x otherwise. */
#define NO_COV __attribute__((no_sanitize("coverage"), noinline))

/* One operation as it appears in the input. */
struct op_bytes {
	uint8_t kind;      /* % 4: map, unmap, walk, map */
	uint8_t page[3];   /* first page, modulo the window */
	uint8_t shape;     /* % 4: small, 2M-ish, 1G-ish, large and ragged */
	uint8_t len[2];
	uint8_t delta;     /* hpa - gpa choice */
	uint8_t attr;      /* bits 2:0 perm, 4:3 memtype choice */
	uint8_t fail;      /* >= 0xe0: the (fail & 7)th allocation fails */
};
#define OP_SIZE sizeof(struct op_bytes)

static uint64_t model[NPAGES];
static uint8_t *arena;
static bool used[MAX_TABLES];
static unsigned freelist[MAX_TABLES], nfree, live;
static int fail_after = -1;
static struct ept ep;

/* --- table pages from a fixed arena ----------------------------------------- */

static uint64_t f_alloc(void *ctx)
{
	unsigned i;

	(void)ctx;
	if (fail_after == 0 || !nfree)
		return 0;
	if (fail_after > 0)
		fail_after--;
	i = freelist[--nfree];
	used[i] = true;
	live++;
	memset(arena + (size_t)i * 4096, 0, 4096);
	return ARENA_HPA + (uint64_t)i * 4096;
}

static unsigned f_slot(uint64_t hpa)
{
	uint64_t i = (hpa - ARENA_HPA) / 4096;

	if (hpa < ARENA_HPA || (hpa & 0xfff) || i >= MAX_TABLES || !used[i])
		__builtin_trap(); /* not a table we handed out */
	return (unsigned)i;
}

static void f_free(void *ctx, uint64_t hpa)
{
	unsigned i = f_slot(hpa);

	(void)ctx;
	used[i] = false;
	freelist[nfree++] = i;
	live--;
}

static void *f_ptr(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return arena + (size_t)f_slot(hpa) * 4096;
}

static const struct ept_ops fops = { f_alloc, f_free, f_ptr, NULL };

static void reset(void)
{
	if (!arena) {
		arena = aligned_alloc(4096, (size_t)MAX_TABLES * 4096);
		if (!arena)
			abort();
	}
	nfree = 0;
	for (unsigned i = 0; i < MAX_TABLES; i++) {
		used[i] = false;
		freelist[nfree++] = MAX_TABLES - 1 - i;
	}
	live = 0;
	fail_after = -1;
	memset(model, 0, sizeof(model));
}

/* --- the whole-tree check ----------------------------------------------------- */

struct tree_stats {
	uint64_t tables, pages;
};

static NO_COV bool model_has(uint64_t page, uint64_t n, uint64_t flags, uint64_t hpa)
{
	for (uint64_t i = 0; i < n; i++)
		if (model[page + i] != (flags | (hpa + (i << 12))))
			return false;
	return true;
}

static NO_COV void check_leaf(uint64_t gpa, uint64_t e, unsigned level)
{
	uint64_t n = level_size(level) >> 12, hpa = e & EPTE_ADDR_MASK;
	uint64_t want = MODEL_MAP | (e & (EPTE_PERM_MASK | EPTE_MT_MASK));

	if (!leaf_allowed(&ep, level) || (hpa & (level_size(level) - 1)))
		__builtin_trap();
	if ((e & ~(EPTE_ADDR_MASK | EPTE_LEAF_FLAGS | EPTE_LARGE)) || (e & EPTE_IPAT))
		__builtin_trap();
	if (gpa + level_size(level) > WINDOW)
		__builtin_trap(); /* mapped outside anything we asked for */
	if (!model_has(gpa >> 12, n, want, hpa))
		__builtin_trap();
}

static NO_COV void check_table(uint64_t hpa, unsigned level, uint64_t base, struct tree_stats *s)
{
	const uint64_t *t = f_ptr(NULL, hpa);
	bool any = false;

	s->tables++;
	for (unsigned i = 0; i < EPT_ENTRIES; i++) {
		uint64_t e = t[i], gpa = base + i * level_size(level);

		if (!e)
			continue;
		any = true;
		if (!present(e))
			__builtin_trap(); /* stray bits in a not-present entry */
		if (is_leaf(e, level)) {
			if (level == EPT_LEVELS)
				__builtin_trap();
			check_leaf(gpa, e, level);
			s->pages += level_size(level) >> 12;
			continue;
		}
		if ((e & ~EPTE_ADDR_MASK) != EPT_RWX)
			__builtin_trap();
		check_table(e & EPTE_ADDR_MASK, level - 1, gpa, s);
	}
	if (!any && level != EPT_LEVELS)
		__builtin_trap(); /* an empty table was kept */
}

static NO_COV uint64_t model_count(void)
{
	uint64_t mapped = 0;

	for (uint64_t i = 0; i < NPAGES; i++)
		mapped += model[i] != 0;
	return mapped;
}

static void check_tree(void)
{
	struct tree_stats s = { 0, 0 };

	check_table(ep.root, EPT_LEVELS, 0, &s);
	if (s.tables != ep.tables || s.tables != live || model_count() != s.pages)
		__builtin_trap();
}

/* --- one page against the model ------------------------------------------------ */

static void check_page(uint64_t page)
{
	uint64_t hpa = 0, m;
	unsigned perm = 0, level = 0;
	int rc;

	if (page >= NPAGES) {
		if (ept_walk(&ep, page << 12, &hpa, &perm, &level) != -ENOENT)
			__builtin_trap();
		return;
	}
	m = model[page];
	rc = ept_walk(&ep, (page << 12) | 0xabc, &hpa, &perm, &level);
	if (!m) {
		if (rc != -ENOENT)
			__builtin_trap();
		return;
	}
	if (rc || hpa != (m & EPTE_ADDR_MASK) + 0xabc || perm != (m & EPTE_PERM_MASK) ||
	    level < 1 || level > 3)
		__builtin_trap();
}

/* --- operations ------------------------------------------------------------------ */

struct range {
	uint64_t page, n; /* first page, number of pages */
};

static struct range gen_range(const struct op_bytes *o)
{
	uint64_t page = (o->page[0] | o->page[1] << 8 | (uint64_t)o->page[2] << 16) % NPAGES;
	uint64_t len = o->len[0] | o->len[1] << 8, n;

	switch (o->shape % 4) {
	case 0:
		n = 1 + len % 64;
		break;
	case 1: /* around 2 MiB boundaries */
		page = (page & ~511ull) + (len & 0x100 ? len % 3 : 0);
		n = 512 * (1 + len % 4) - (len & 0x200 ? len % 5 : 0);
		break;
	case 2: /* around 1 GiB boundaries */
		page = (page & ~262143ull) + (len & 0x100 ? 512 * (len % 3) : 0);
		n = 262144 - (len & 0x200 ? 512 * (len % 3) + (len & 0x400 ? 1 : 0) : 0);
		break;
	default:
		n = 1 + len % 8192;
		break;
	}
	if (n > NPAGES - page)
		n = NPAGES - page;
	return (struct range){ page, n };
}

static uint64_t gen_delta(uint8_t d)
{
	static const uint64_t deltas[] = { 0, 1ull << 12, 2ull << 20, 1ull << 30, 3ull << 30 };

	if (d < 5 * 32)
		return HPA_BASE + deltas[d % 5];
	return HPA_BASE + ((uint64_t)d << 12);
}

static void set_fail(const struct op_bytes *o)
{
	fail_after = o->fail >= 0xe0 ? (int)(o->fail & 7) : -1;
}

static NO_COV bool range_mapped(struct range r)
{
	for (uint64_t i = 0; i < r.n; i++)
		if (model[r.page + i])
			return true;
	return false;
}

static NO_COV void model_set(struct range r, uint64_t flags, uint64_t hpa)
{
	for (uint64_t i = 0; i < r.n; i++)
		model[r.page + i] = flags | (hpa + (i << 12));
}

static void check_edges(struct range r)
{
	check_page(r.page);
	check_page(r.page + r.n - 1);
	check_page(r.page + r.n);
	if (r.page)
		check_page(r.page - 1);
	for (uint64_t i = 1; i < 8; i++)
		check_page(r.page + r.n * i / 8);
}

/* After a failed call: nothing changed. */
static void check_unchanged(uint64_t tables)
{
	if (ep.tables != tables || live != tables)
		__builtin_trap();
	check_tree();
}

static void do_map(const struct op_bytes *o)
{
	static const unsigned mts[] = { EPT_MT_WB, EPT_MT_UC, EPT_MT_WC, 3 };
	struct range r = gen_range(o);
	uint64_t gpa = r.page << 12, hpa = gpa + gen_delta(o->delta), tables = ep.tables;
	unsigned perm = o->attr & 7, mt = mts[(o->attr >> 3) & 3];
	bool valid = perm_valid(&ep, perm) && mt != 3;
	int rc;

	set_fail(o);
	rc = ept_map(&ep, gpa, hpa, r.n << 12, perm, mt);
	fail_after = -1;
	if (!valid || range_mapped(r)) {
		if (rc != (valid ? -EEXIST : -EINVAL))
			__builtin_trap();
		if (ep.tables != tables)
			__builtin_trap();
	} else if (rc == -ENOMEM && o->fail >= 0xe0) {
		check_unchanged(tables);
	} else if (rc) {
		__builtin_trap();
	} else {
		model_set(r, MODEL_MAP | (uint64_t)mt << 3 | perm, hpa);
	}
	check_edges(r);
}

static void do_unmap(const struct op_bytes *o)
{
	struct range r = gen_range(o);
	uint64_t tables = ep.tables;
	int rc;

	set_fail(o);
	rc = ept_unmap(&ep, r.page << 12, r.n << 12);
	fail_after = -1;
	if (rc == -ENOMEM && o->fail >= 0xe0) {
		check_unchanged(tables);
	} else if (rc) {
		__builtin_trap();
	} else {
		memset(&model[r.page], 0, r.n * sizeof(model[0]));
	}
	check_edges(r);
}

/* ept_describe_violation() on the first bytes, into a buffer of exactly len bytes. */
static void check_describe(const uint8_t *data, size_t size)
{
	uint64_t q = 0;
	size_t len = data[0] >> 1; /* 0..127: the full text needs about 130 */
	char *buf = malloc(len ? len : 1);
	int rc;

	if (!buf)
		abort();
	memcpy(&q, data + 1, size - 1 < 8 ? size - 1 : 8);
	rc = ept_describe_violation(q, buf, len);
	if (len == 0 && rc != -EINVAL)
		__builtin_trap();
	if (len && (rc == -ENOSPC ? strlen(buf) != len - 1 : rc < 0 || (size_t)rc != strlen(buf)))
		__builtin_trap();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nops;

	if (size < 1)
		return 0;
	check_describe(data, size);
	reset();
	if (ept_init(&ep, &fops, data[0] & 0xf))
		__builtin_trap();
	nops = (size - 1) / OP_SIZE;
	if (nops > MAX_OPS)
		nops = MAX_OPS;
	for (size_t i = 0; i < nops; i++) {
		struct op_bytes o;

		memcpy(&o, data + 1 + i * OP_SIZE, OP_SIZE);
		switch (o.kind % 4) {
		case 1:
			do_unmap(&o);
			break;
		case 2:
			check_edges(gen_range(&o));
			break;
		default:
			do_map(&o);
			break;
		}
	}
	check_tree();
	ept_destroy(&ep);
	if (live || ep.tables)
		__builtin_trap();
	return 0;
}
