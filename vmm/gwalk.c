// SPDX-License-Identifier: MIT
/*
 * Guest page-table walker (SDM Vol. 3A, chapter "Paging": "32-Bit Paging",
 * "PAE Paging", "4-Level Paging and 5-Level Paging", "Access Rights",
 * "Page-Fault Exceptions").
 *
 * One loop serves the three paging modes; a mode is described by its
 * entry size, index width and number of levels. Levels count from the
 * leaf: 1 = page table, 2 = page directory, 3 = PDPT, 4 = PML4.
 *
 *   mode     levels  entry  index bits  leaves
 *   -------  ------  -----  ----------  -------------------------------
 *   32-bit   2       4 B    10          4 KiB; 4 MiB with CR4.PSE
 *   PAE      3       8 B    2, 9, 9     4 KiB, 2 MiB (level 3: 4 PDPTEs at CR3)
 *   4-level  4       8 B    9           4 KiB, 2 MiB, 1 GiB
 *
 * The bits this file reads in a paging-structure entry:
 *   0 P, 1 R/W, 2 U/S, 7 PS (levels 2-3), 63 XD (PAE and 4-level, with
 *   EFER.NXE; reserved otherwise); the address in bits (MAXPHYADDR-1):12.
 *
 * Access rights are the AND of R/W and of U/S over all levels, and XD is
 * their OR (PAE PDPTEs have none of them). A page is a "user-mode
 * address" when U/S is 1 at every level.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/lib/errno.h"
#include "vmm/gwalk.h"

#define PTE_P         (1ull << 0)
#define PTE_RW        (1ull << 1)
#define PTE_US        (1ull << 2)
#define PTE_PS        (1ull << 7)
#define PTE_XD        (1ull << 63)

#define PAGE_SHIFT    12
#define ADDR32_MASK   0xffffffffull
#define PAE_CR3_MASK  0xffffffe0ull  /* PDPT: CR3 bits 31:5 */
#define PSE36_MAX     40u            /* 4 MiB pages reach at most 40 bits */
#define PSE36_SHIFT   13             /* PDE bits 20:13 hold address bits 39:32 */
#define LA48_BITS     48             /* 4-level: canonical means bits 63:47 equal */
#define MAXPHY_MIN    32u
#define MAXPHY_MAX    52u

enum gwalk_mode { MODE_32, MODE_PAE, MODE_4LEVEL };

/* One walk in progress. */
struct walk {
	const struct gwalk_ctx *w;
	enum gwalk_mode mode;
	uint64_t gla;
	unsigned access;
	bool writable, user, xd; /* accumulated over the levels */
};

/* Bits hi:lo set (none when lo > hi). */
static uint64_t bits(unsigned hi, unsigned lo)
{
	if (lo > hi)
		return 0;
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

static bool nxe(const struct walk *k)
{
	return k->mode != MODE_32 && (k->w->efer & GWALK_EFER_NXE);
}

static unsigned levels(const struct walk *k)
{
	return k->mode == MODE_4LEVEL ? 4 : k->mode == MODE_PAE ? 3 : 2;
}

static unsigned entry_size(const struct walk *k)
{
	return k->mode == MODE_32 ? 4 : 8;
}

static unsigned level_shift(const struct walk *k, unsigned level)
{
	return PAGE_SHIFT + (level - 1) * (k->mode == MODE_32 ? 10 : 9);
}

static uint64_t level_size(const struct walk *k, unsigned level)
{
	return 1ull << level_shift(k, level);
}

static unsigned index_of(const struct walk *k, unsigned level)
{
	unsigned width = k->mode == MODE_32 ? 10 : 9;

	if (k->mode == MODE_PAE && level == 3)
		width = 2;
	return (unsigned)(k->gla >> level_shift(k, level)) & ((1u << width) - 1);
}

/* Address bits (MAXPHYADDR-1):12 of an 8-byte entry. */
static uint64_t addr_mask(const struct walk *k)
{
	return bits(k->w->maxphyaddr - 1, PAGE_SHIFT);
}

/* Does this present entry map a page rather than point to a table? */
static bool is_leaf(const struct walk *k, unsigned level, uint64_t e)
{
	if (level == 1)
		return true;
	if (!(e & PTE_PS))
		return false;
	switch (k->mode) {
	case MODE_32:
		return k->w->cr4 & GWALK_CR4_PSE;
	case MODE_PAE:
		return level == 2;
	default:
		return level <= 3;
	}
}

/*
 * Reserved bits of a present entry (SDM Vol. 3A, the "Format of a ..."
 * tables of each mode). Bits above MAXPHYADDR are reserved up to 51 in
 * 4-level paging (62:52 are ignored) and up to 62 in PAE paging.
 */
static uint64_t reserved_bits(const struct walk *k, unsigned level, uint64_t e)
{
	unsigned m = k->w->maxphyaddr;
	uint64_t r = nxe(k) ? 0 : PTE_XD;
	bool leaf = is_leaf(k, level, e);

	switch (k->mode) {
	case MODE_32:
		if (level == 2 && leaf) { /* PSE-36: address bits (M-1):32 in 20:13 */
			unsigned m36 = m < PSE36_MAX ? m : PSE36_MAX;

			return bits(21, PSE36_SHIFT + (m36 - 32));
		}
		return 0;
	case MODE_PAE:
		if (level == 3)
			return bits(63, m) | bits(8, 5) | bits(2, 1);
		r |= bits(62, m);
		break;
	default:
		r |= bits(51, m);
		if (level == 4)
			r |= PTE_PS;
		if (level == 3 && leaf && !k->w->gbpages)
			r |= PTE_PS;
		break;
	}
	if (leaf && level >= 2)
		r |= bits(level_shift(k, level) - 1, PAGE_SHIFT + 1); /* bit 12 is PAT */
	return r;
}

/* The page a leaf maps (its first byte). */
static uint64_t leaf_base(const struct walk *k, unsigned level, uint64_t e)
{
	if (k->mode != MODE_32)
		return e & addr_mask(k) & ~(level_size(k, level) - 1);
	if (level == 1)
		return e & ADDR32_MASK & ~(level_size(k, 1) - 1);
	return (e & ADDR32_MASK & ~(level_size(k, 2) - 1)) |
	       (((e >> PSE36_SHIFT) & 0xff) << 32); /* reserved bits above are 0 */
}

/* The table an entry points to. */
static uint64_t next_table(const struct walk *k, uint64_t e)
{
	return k->mode == MODE_32 ? e & ADDR32_MASK & ~0xfffull : e & addr_mask(k);
}

static void accumulate(struct walk *k, unsigned level, uint64_t e)
{
	if (k->mode == MODE_PAE && level == 3)
		return; /* PDPTEs carry no access rights */
	k->writable = k->writable && (e & PTE_RW);
	k->user = k->user && (e & PTE_US);
	if (nxe(k) && (e & PTE_XD))
		k->xd = true;
}

/* SDM Vol. 3A, "Access Rights": may this access use the translation? */
static bool access_allowed(const struct walk *k)
{
	uint64_t cr4 = k->w->cr4;
	bool write = k->access & GWALK_WRITE, fetch = k->access & GWALK_FETCH;

	if (k->access & GWALK_USER)
		return k->user && !(write && !k->writable) && !(fetch && k->xd);
	if (fetch)
		return !k->xd && !(k->user && (cr4 & GWALK_CR4_SMEP));
	if (k->user && (cr4 & GWALK_CR4_SMAP) && !(k->access & GWALK_AC))
		return false;
	return !(write && !k->writable && (k->w->cr0 & GWALK_CR0_WP));
}

/* The #PF error code for this access, plus the cause bits given. */
static uint32_t pf_code(const struct walk *k, uint32_t cause)
{
	uint32_t code = cause;

	if (k->access & GWALK_WRITE)
		code |= GWALK_PF_W;
	if (k->access & GWALK_USER)
		code |= GWALK_PF_U;
	if ((k->access & GWALK_FETCH) && ((k->w->cr4 & GWALK_CR4_SMEP) || nxe(k)))
		code |= GWALK_PF_I;
	return code;
}

static int read_entry(const struct walk *k, uint64_t gpa, uint64_t *e)
{
	uint64_t v = 0; /* x86 is little-endian: a 4-byte read fills the low half */

	if (k->w->read_gpa(k->w->ctx, gpa, &v, entry_size(k)))
		return -EIO;
	*e = v;
	return 0;
}

/* The walk proper, from the top-level table at base. */
static int walk_tables(struct walk *k, uint64_t base, gpa_t *out, uint32_t *pf_error)
{
	for (unsigned level = levels(k);; level--) {
		uint64_t e, at = base + (uint64_t)index_of(k, level) * entry_size(k);
		int err = read_entry(k, at, &e);

		if (err)
			return err;
		if (!(e & PTE_P)) {
			*pf_error = pf_code(k, 0);
			return -EFAULT;
		}
		if (e & reserved_bits(k, level, e)) {
			*pf_error = pf_code(k, GWALK_PF_P | GWALK_PF_RSVD);
			return -EFAULT;
		}
		accumulate(k, level, e);
		if (is_leaf(k, level, e)) {
			if (!access_allowed(k)) {
				*pf_error = pf_code(k, GWALK_PF_P);
				return -EFAULT;
			}
			*out = gpa(leaf_base(k, level, e) + (k->gla & (level_size(k, level) - 1)));
			if (k->w->leaf_gpa && k->w->leaf_val) {
				*k->w->leaf_gpa = at;
				*k->w->leaf_val = e;
			}
			return 0;
		}
		base = next_table(k, e);
	}
}

static bool canonical48(uint64_t la)
{
	uint64_t top = la >> (LA48_BITS - 1);

	return top == 0 || top == (~0ull >> (LA48_BITS - 1));
}

/* Pick the mode from the control registers; -EINVAL/-ENOTSUP when none fits. */
static int pick_mode(const struct gwalk_ctx *w, enum gwalk_mode *mode)
{
	bool pae = w->cr4 & GWALK_CR4_PAE;

	if (!(w->efer & GWALK_EFER_LMA)) {
		*mode = pae ? MODE_PAE : MODE_32;
		return 0;
	}
	if (!pae)
		return -EINVAL;
	if (w->cr4 & GWALK_CR4_LA57)
		return -ENOTSUP;
	*mode = MODE_4LEVEL;
	return 0;
}

int gwalk_translate(const struct gwalk_ctx *w, uint64_t gla, unsigned access, gpa_t *out,
		    uint32_t *pf_error)
{
	struct walk k = { .w = w, .access = access, .writable = true, .user = true };
	int err;

	*pf_error = 0;
	if ((access & GWALK_WRITE) && (access & GWALK_FETCH))
		return -EINVAL;
	if (w->maxphyaddr < MAXPHY_MIN || w->maxphyaddr > MAXPHY_MAX)
		return -EINVAL;
	if (!(w->cr0 & GWALK_CR0_PG)) {
		if (w->efer & GWALK_EFER_LMA)
			return -EINVAL;
		*out = gpa(gla & ADDR32_MASK);
		return 0;
	}
	err = pick_mode(w, &k.mode);
	if (err)
		return err;
	if (k.mode == MODE_4LEVEL) {
		if (!canonical48(gla))
			return -ERANGE;
		k.gla = gla;
		return walk_tables(&k, w->cr3 & addr_mask(&k), out, pf_error);
	}
	k.gla = gla & ADDR32_MASK;
	if (k.mode == MODE_PAE)
		return walk_tables(&k, w->cr3 & PAE_CR3_MASK, out, pf_error);
	return walk_tables(&k, w->cr3 & ADDR32_MASK & ~0xfffull, out, pf_error);
}
