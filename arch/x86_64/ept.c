// SPDX-License-Identifier: MIT
/*
 * EPT tables (SDM Vol. 3C, "The Extended Page Table Mechanism (EPT)").
 *
 * Entry layout, as this file uses it (SDM Vol. 3C, "EPT Translation
 * Mechanism", Tables "Format of an EPT PML4 Entry" ... "Format of an EPT
 * Page-Table Entry"). Levels are numbered from the leaf: 1 = PT (4 KiB),
 * 2 = PD (2 MiB), 3 = PDPT (1 GiB), 4 = PML4 (512 GiB per entry).
 *
 *   bit(s)  table entry (levels 4..2)   leaf (level 1; 2 and 3 with bit 7)
 *   ------  --------------------------  -----------------------------------
 *   0       read                        read
 *   1       write                       write
 *   2       execute                     execute
 *   5:3     reserved (0)                memory type (0 UC, 1 WC, 4 WT, 5 WP, 6 WB)
 *   6       reserved (0)                ignore guest PAT (we leave it 0)
 *   7       0: points to a table        1: large leaf (levels 2, 3; must be 0 at 4)
 *   8       accessed (if EPTP bit 6)    accessed (if EPTP bit 6)
 *   9       ignored                     dirty (if EPTP bit 6)
 *   11:10   ignored                     ignored (10: user execute with MBEC)
 *   51:12   next table address          page address (low 9 / 18 bits 0 for 2M / 1G)
 *   62:52   ignored                     ignored
 *   63      ignored                     suppress #VE (we leave it 0)
 *
 * An entry is present when any of bits 2:0 is set. Write without read is
 * a misconfiguration; execute-only needs IA32_VMX_EPT_VPID_CAP bit 0.
 *
 * The EPT pointer (SDM Vol. 3C, "Extended-Page-Table Pointer (EPTP)"):
 * bits 2:0 memory type of the tables, 5:3 walk length - 1, 6 A/D enable,
 * 51:12 the PML4 address.
 *
 * Map and unmap both run in two passes. The first walks the tables
 * without changing anything: it finds conflicts and counts the table
 * pages the change needs. Those are then allocated into a pool (chained
 * through their first word), so the second pass, which applies the change,
 * cannot fail.
 */
#define pr_fmt "ept"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/ept.h"
#include "arch/x86_64/lib/errno.h"
#include "drivers/console.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

#define EPT_PAGE_SHIFT    12
#define EPT_PAGE_SIZE     (1ull << EPT_PAGE_SHIFT)
#define EPT_INDEX_BITS    9
#define EPT_ENTRIES       (1u << EPT_INDEX_BITS)
#define EPT_LEVELS        4

#define EPTE_PERM_MASK    0x7ull
#define EPTE_MT_SHIFT     3
#define EPTE_MT_MASK      (0x7ull << EPTE_MT_SHIFT)
#define EPTE_IPAT         (1ull << 6)
#define EPTE_LARGE        (1ull << 7)
#define EPTE_ACCESSED     (1ull << 8)
#define EPTE_DIRTY        (1ull << 9)
#define EPTE_ADDR_MASK    0x000ffffffffff000ull /* bits 51:12 */
/* What a split copies from a large leaf to its smaller leaves. */
#define EPTE_LEAF_FLAGS   (EPTE_PERM_MASK | EPTE_MT_MASK | EPTE_IPAT | EPTE_ACCESSED | EPTE_DIRTY)

#define EPTP_MT_WB        6ull
#define EPTP_WALK_SHIFT   3
#define EPTP_AD_ENABLE    (1ull << 6)

#define EPT_KNOWN_CAPS    (EPT_CAP_2M | EPT_CAP_1G | EPT_CAP_AD | EPT_CAP_XO)

_Static_assert(EPT_ENTRIES * sizeof(uint64_t) == EPT_PAGE_SIZE, "a table is one 4 KiB page");
_Static_assert(EPT_R == 1 && EPT_W == 2 && EPT_X == 4, "perm bits are entry bits 2:0");
_Static_assert((EPT_RWX & ~EPTE_PERM_MASK) == 0, "perm fits bits 2:0");
_Static_assert((EPTE_ADDR_MASK & (EPTE_LEAF_FLAGS | EPTE_LARGE)) == 0, "flags outside the address");
_Static_assert(EPTE_ADDR_MASK + EPT_PAGE_SIZE == EPT_HPA_LIMIT, "addresses are bits 51:12");
_Static_assert(EPT_PAGE_SHIFT + EPT_LEVELS * EPT_INDEX_BITS == 48, "4 levels cover 48 bits");
_Static_assert(EPT_GPA_LIMIT == 1ull << 48, "4-level walk");
_Static_assert(EPT_MT_WB == EPTP_MT_WB, "EPTP and entries share the encoding");

/* The bytes one entry at level maps; the shift of its index in a gpa. */
static unsigned level_shift(unsigned level)
{
	return EPT_PAGE_SHIFT + (level - 1) * EPT_INDEX_BITS;
}

static uint64_t level_size(unsigned level)
{
	return 1ull << level_shift(level);
}

static unsigned index_of(uint64_t gpa, unsigned level)
{
	return (unsigned)(gpa >> level_shift(level)) & (EPT_ENTRIES - 1);
}

/* End of the level-sized slot holding a, clipped to end. */
static uint64_t slot_end(uint64_t a, unsigned level, uint64_t end)
{
	uint64_t next = (a | (level_size(level) - 1)) + 1;

	return next < end ? next : end;
}

static bool present(uint64_t e)
{
	return (e & EPTE_PERM_MASK) != 0;
}

static bool is_leaf(uint64_t e, unsigned level)
{
	return level == 1 || (e & EPTE_LARGE);
}

/* One 64-bit access: the processor may walk the table meanwhile. */
static uint64_t get_entry(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void set_entry(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint64_t *table_at(const struct ept *e, uint64_t hpa)
{
	return e->ops->table_ptr(e->ops->ctx, hpa);
}

static uint64_t *child_table(const struct ept *e, uint64_t entry)
{
	return table_at(e, entry & EPTE_ADDR_MASK);
}

static bool table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		if (get_entry(&t[i]))
			return false;
	return true;
}

static void free_table(struct ept *e, uint64_t hpa)
{
	e->ops->free_table(e->ops->ctx, hpa);
	e->tables--;
}

/* --- the table pool: allocated up front, consumed by the apply pass ---- */

struct pool {
	uint64_t head; /* hpa of the first free table; 0 = empty */
	uint64_t count;
};

/* Fill the pool with n zeroed tables, or leave it empty and fail. */
static int pool_fill(struct ept *e, struct pool *p, uint64_t n)
{
	p->head = 0;
	p->count = 0;
	while (p->count < n) {
		uint64_t hpa = e->ops->alloc_table(e->ops->ctx);

		if (!hpa) {
			while (p->head) {
				uint64_t next = *table_at(e, p->head);

				e->ops->free_table(e->ops->ctx, p->head);
				p->head = next;
			}
			p->count = 0;
			return -ENOMEM;
		}
		*table_at(e, hpa) = p->head; /* the link word, cleared when taken */
		p->head = hpa;
		p->count++;
	}
	e->tables += n;
	return 0;
}

static uint64_t pool_take(struct ept *e, struct pool *p)
{
	uint64_t hpa = p->head;
	uint64_t *t;

	if (!hpa)
		panic("ept: table pool ran dry (%llu planned)", (unsigned long long)p->count);
	t = table_at(e, hpa);
	p->head = t[0];
	t[0] = 0;
	return hpa;
}

static void pool_check_empty(const struct pool *p)
{
	if (p->head)
		panic("ept: planned more tables than used");
}

/* --- map --------------------------------------------------------------- */

struct map_req {
	uint64_t delta; /* hpa - gpa, modulo 2^64 */
	uint64_t flags; /* leaf bits 6:0 */
};

static bool leaf_allowed(const struct ept *e, unsigned level)
{
	return level == 1 || (level == 2 && e->large_2m) || (level == 3 && e->large_1g);
}

/* May [a, end) be one leaf at level? (a is inside the slot.) */
static bool leaf_fits(const struct ept *e, const struct map_req *r, unsigned level,
		      uint64_t a, uint64_t end)
{
	uint64_t mask = level_size(level) - 1;

	return leaf_allowed(e, level) && !(a & mask) && !((a + r->delta) & mask) &&
	       end - a == level_size(level);
}

/* Tables a map of [a, end) needs below a not-present entry at level. */
static uint64_t map_need_empty(const struct ept *e, const struct map_req *r, unsigned level,
			       uint64_t a, uint64_t end)
{
	uint64_t n = 0;

	for (uint64_t next; a < end; a = next) {
		next = slot_end(a, level, end);
		if (!leaf_fits(e, r, level, a, next))
			n += 1 + map_need_empty(e, r, level - 1, a, next);
	}
	return n;
}

/* Plan pass: -EEXIST on any mapped page in [a, end), else tables needed. */
static int64_t map_plan(const struct ept *e, const struct map_req *r, const uint64_t *t,
			unsigned level, uint64_t a, uint64_t end)
{
	int64_t n = 0;

	for (uint64_t next; a < end; a = next) {
		uint64_t ent = get_entry(&t[index_of(a, level)]);
		int64_t sub;

		next = slot_end(a, level, end);
		if (!present(ent)) {
			if (!leaf_fits(e, r, level, a, next))
				n += 1 + (int64_t)map_need_empty(e, r, level - 1, a, next);
			continue;
		}
		if (is_leaf(ent, level))
			return -EEXIST;
		sub = map_plan(e, r, child_table(e, ent), level - 1, a, next);
		if (sub < 0)
			return sub;
		n += sub;
	}
	return n;
}

static uint64_t table_entry(uint64_t hpa)
{
	return hpa | EPT_RWX; /* the leaf decides the access */
}

/* Apply pass: cannot fail, the plan found no conflict and paid for tables. */
static void map_apply(struct ept *e, const struct map_req *r, struct pool *p, uint64_t *t,
		      unsigned level, uint64_t a, uint64_t end)
{
	for (uint64_t next; a < end; a = next) {
		uint64_t *slot = &t[index_of(a, level)];
		uint64_t ent = get_entry(slot);

		next = slot_end(a, level, end);
		if (!present(ent) && leaf_fits(e, r, level, a, next)) {
			set_entry(slot, (a + r->delta) | r->flags | (level > 1 ? EPTE_LARGE : 0));
			continue;
		}
		if (!present(ent)) {
			uint64_t hpa = pool_take(e, p);

			/* Fill the new table before the processor can see it. */
			map_apply(e, r, p, table_at(e, hpa), level - 1, a, next);
			set_entry(slot, table_entry(hpa));
			continue;
		}
		map_apply(e, r, p, child_table(e, ent), level - 1, a, next);
	}
}

static bool memtype_valid(unsigned mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT || mt == EPT_MT_WP ||
	       mt == EPT_MT_WB;
}

static bool perm_valid(const struct ept *e, unsigned perm)
{
	if (!perm || (perm & ~EPT_RWX))
		return false;
	if (perm & EPT_R)
		return true;
	return perm == EPT_X && e->xonly; /* write without read: misconfiguration */
}

/* Page-aligned, non-empty and below limit, without wrapping. */
static bool range_valid(uint64_t base, uint64_t size, uint64_t limit)
{
	return size && !((base | size) & (EPT_PAGE_SIZE - 1)) && base < limit &&
	       size <= limit - base;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm,
	    unsigned memtype)
{
	struct map_req r = { hpa - gpa, perm | ((uint64_t)memtype << EPTE_MT_SHIFT) };
	struct pool p;
	int64_t need;
	int err;

	if (!e->root || !range_valid(gpa, size, EPT_GPA_LIMIT) ||
	    !range_valid(hpa, size, EPT_HPA_LIMIT) || !perm_valid(e, perm) ||
	    !memtype_valid(memtype))
		return -EINVAL;
	need = map_plan(e, &r, table_at(e, e->root), EPT_LEVELS, gpa, gpa + size);
	if (need < 0)
		return (int)need;
	err = pool_fill(e, &p, (uint64_t)need);
	if (err)
		return err;
	map_apply(e, &r, &p, table_at(e, e->root), EPT_LEVELS, gpa, gpa + size);
	pool_check_empty(&p);
	return 0;
}

/* --- unmap ------------------------------------------------------------- */

/*
 * Tables needed to split the leaf at level holding [a, end) (not all of
 * it) so that the range can be removed: one for the leaf itself, plus the
 * splits of the large children the range only partly covers.
 */
static uint64_t split_need(unsigned level, uint64_t a, uint64_t end)
{
	uint64_t n = 1;

	for (uint64_t next; a < end && level - 1 > 1; a = next) {
		next = slot_end(a, level - 1, end);
		if (next - a != level_size(level - 1))
			n += split_need(level - 1, a, next);
	}
	return n;
}

/* Plan pass for unmap: tables the splits need. */
static uint64_t unmap_plan(const struct ept *e, const uint64_t *t, unsigned level, uint64_t a,
			   uint64_t end)
{
	uint64_t n = 0;

	for (uint64_t next; a < end; a = next) {
		uint64_t ent = get_entry(&t[index_of(a, level)]);

		next = slot_end(a, level, end);
		if (!present(ent))
			continue;
		if (!is_leaf(ent, level))
			n += unmap_plan(e, child_table(e, ent), level - 1, a, next);
		else if (next - a != level_size(level))
			n += split_need(level, a, next);
	}
	return n;
}

/* Replace the large leaf in *slot by a table of leaves one level down. */
static void split_leaf(struct ept *e, struct pool *p, uint64_t *slot, unsigned level)
{
	uint64_t ent = get_entry(slot), hpa = pool_take(e, p);
	uint64_t *t = table_at(e, hpa), csize = level_size(level - 1);
	uint64_t flags = ent & EPTE_LEAF_FLAGS;
	uint64_t base = ent & EPTE_ADDR_MASK;

	if (level - 1 > 1)
		flags |= EPTE_LARGE;
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		t[i] = (base + i * csize) | flags;
	set_entry(slot, table_entry(hpa));
}

static void unmap_apply(struct ept *e, struct pool *p, uint64_t *t, unsigned level, uint64_t a,
			uint64_t end)
{
	for (uint64_t next; a < end; a = next) {
		uint64_t *slot = &t[index_of(a, level)];
		uint64_t ent = get_entry(slot);
		uint64_t *child;

		next = slot_end(a, level, end);
		if (!present(ent))
			continue;
		if (is_leaf(ent, level) && next - a == level_size(level)) {
			set_entry(slot, 0);
			continue;
		}
		if (is_leaf(ent, level))
			split_leaf(e, p, slot, level);
		ent = get_entry(slot);
		child = child_table(e, ent);
		unmap_apply(e, p, child, level - 1, a, next);
		if (table_empty(child)) {
			set_entry(slot, 0);
			free_table(e, ent & EPTE_ADDR_MASK);
		}
	}
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t size)
{
	struct pool p;
	uint64_t need;
	int err;

	if (!e->root || !range_valid(gpa, size, EPT_GPA_LIMIT))
		return -EINVAL;
	need = unmap_plan(e, table_at(e, e->root), EPT_LEVELS, gpa, gpa + size);
	err = pool_fill(e, &p, need);
	if (err)
		return err;
	unmap_apply(e, &p, table_at(e, e->root), EPT_LEVELS, gpa, gpa + size);
	pool_check_empty(&p);
	return 0;
}

/* --- walk, set-up, tear-down ------------------------------------------- */

int ept_walk(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned *perm, unsigned *level)
{
	const uint64_t *t;
	unsigned lvl = EPT_LEVELS, rights = EPT_RWX;
	uint64_t ent;

	if (!e->root || gpa >= EPT_GPA_LIMIT)
		return -EINVAL;
	for (t = table_at(e, e->root);; t = child_table(e, ent), lvl--) {
		ent = get_entry(&t[index_of(gpa, lvl)]);
		if (!present(ent))
			return -ENOENT;
		rights &= (unsigned)(ent & EPTE_PERM_MASK);
		if (is_leaf(ent, lvl))
			break;
	}
	if (hpa)
		*hpa = (ent & EPTE_ADDR_MASK) + (gpa & (level_size(lvl) - 1));
	if (perm)
		*perm = rights;
	if (level)
		*level = lvl;
	return 0;
}

int ept_init(struct ept *e, const struct ept_ops *ops, unsigned caps)
{
	memset(e, 0, sizeof(*e));
	if (!ops || (caps & ~EPT_KNOWN_CAPS))
		return -EINVAL;
	e->ops = ops;
	e->large_2m = caps & EPT_CAP_2M;
	e->large_1g = (caps & EPT_CAP_1G) && e->large_2m; /* a 1G split needs 2M leaves */
	e->ad = caps & EPT_CAP_AD;
	e->xonly = caps & EPT_CAP_XO;
	e->root = ops->alloc_table(ops->ctx);
	if (!e->root)
		return -ENOMEM;
	e->tables = 1;
	return 0;
}

static void free_tree(struct ept *e, uint64_t hpa, unsigned level)
{
	const uint64_t *t = table_at(e, hpa);

	for (unsigned i = 0; i < EPT_ENTRIES; i++) {
		uint64_t ent = get_entry(&t[i]);

		if (present(ent) && !is_leaf(ent, level))
			free_tree(e, ent & EPTE_ADDR_MASK, level - 1);
	}
	free_table(e, hpa);
}

void ept_destroy(struct ept *e)
{
	if (!e->root)
		return;
	free_tree(e, e->root, EPT_LEVELS);
	if (e->tables)
		pr_err("%llu tables unaccounted for\n", (unsigned long long)e->tables);
	e->root = 0;
}

uint64_t ept_eptp(const struct ept *e)
{
	return e->root | EPTP_MT_WB | ((uint64_t)(EPT_LEVELS - 1) << EPTP_WALK_SHIFT) |
	       (e->ad ? EPTP_AD_ENABLE : 0);
}

/* --- describing an EPT violation --------------------------------------- */

/* Exit qualification bits (SDM Vol. 3C, "Exit Qualification for EPT Violations"). */
#define EPTV_READ          (1ull << 0)
#define EPTV_WRITE         (1ull << 1)
#define EPTV_FETCH         (1ull << 2)
#define EPTV_READABLE      (1ull << 3)
#define EPTV_WRITABLE      (1ull << 4)
#define EPTV_EXECUTABLE    (1ull << 5)
#define EPTV_USER_EXEC     (1ull << 6) /* with mode-based execute control */
#define EPTV_GLA_VALID     (1ull << 7)
#define EPTV_GLA_FINAL     (1ull << 8) /* with bit 7: the translated address, not a guest table */
#define EPTV_NMI_UNBLOCK   (1ull << 12)
#define EPTV_RIGHTS        (EPTV_READABLE | EPTV_WRITABLE | EPTV_EXECUTABLE | EPTV_USER_EXEC)

struct sbuf {
	char *buf;
	size_t size, len;
	bool truncated;
};

static void put(struct sbuf *s, const char *str)
{
	for (; *str; str++) {
		if (s->len + 1 < s->size)
			s->buf[s->len++] = *str;
		else
			s->truncated = true;
	}
	s->buf[s->len] = '\0';
}

static const char *access_words(uint64_t q)
{
	if (q & EPTV_FETCH)
		return "instruction fetch from";
	if ((q & EPTV_WRITE) && (q & EPTV_READ))
		return "read-modify-write of";
	if (q & EPTV_WRITE)
		return "write to";
	if (q & EPTV_READ)
		return "read from";
	return "access to";
}

int ept_describe_violation(uint64_t q, char *buf, size_t size)
{
	struct sbuf s = { buf, size, 0, false };

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	put(&s, access_words(q));
	if (!(q & EPTV_RIGHTS)) {
		put(&s, " a page that is not mapped");
	} else {
		put(&s, " a page that is ");
		put(&s, q & EPTV_READABLE ? "readable, " : "not readable, ");
		put(&s, q & EPTV_WRITABLE ? "writable, " : "not writable, ");
		put(&s, q & EPTV_EXECUTABLE ? "executable" : "not executable");
		if (q & EPTV_USER_EXEC)
			put(&s, " (user-executable)");
	}
	if (!(q & EPTV_GLA_VALID))
		put(&s, "; no guest-linear address");
	else if (q & EPTV_GLA_FINAL)
		put(&s, "; at the translation of a guest-linear address");
	else
		put(&s, "; while walking the guest's page tables");
	if (q & EPTV_NMI_UNBLOCK)
		put(&s, "; NMI unblocked by IRET");
	return s.truncated ? -ENOSPC : (int)s.len;
}
