// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the guest page-table walker (vmm/gwalk.c).
 *
 * Input: a header (struct hdr: CR0, CR3, CR4, EFER, MAXPHYADDR, flags and
 * NADDR linear addresses), then the guest's memory. Guest-physical
 * addresses wrap modulo the memory size unless the strict flag is set, so
 * random entries keep leading to more random entries. Each address is
 * walked for every access kind. Checked, besides ASan/UBSan:
 *   - the return value is one the contract allows, and -EINVAL/-ENOTSUP/
 *     -ERANGE exactly when the inputs call for them;
 *   - a #PF error code has only P, W/R, U/S, RSVD, I/D; RSVD implies P;
 *     W/R and U/S match the access; I/D only for fetches;
 *   - a translation keeps the page offset and fits MAXPHYADDR; paging off
 *     is the identity on 32 bits;
 *   - structure faults (not present, reserved bit, unreadable table) do
 *     not depend on the kind of access;
 *   - every access kind that succeeds gets the same translation;
 *   - rights are monotonic: a write that works means the read works;
 *     CR0.WP=0 never refuses what WP=1 allows; a user access that works
 *     means the supervisor access (with AC) works;
 *   - the same walk twice gives the same answer.
 *
 *   build/fuzz/fuzz_gwalk -max_total_time=60 <corpus dir>
 */
#include <stdint.h>
#include <string.h>

#include "vmm/gwalk.c"

#define NADDR       4
#define MAX_MEM     (64u << 10)
#define FLAG_STRICT 0x1u /* reads beyond the memory fail instead of wrapping */
#define FLAG_GBPAGE 0x2u

struct hdr {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gla[NADDR];
	uint8_t maxphyaddr, flags;
};

struct result {
	int rc;
	uint64_t gpa;
	uint32_t err;
};

static const uint8_t *gmem;
static size_t gsize;
static bool strict;

static int rd(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *out = buf;

	(void)ctx;
	if (!gsize || (strict && (gpa >= gsize || len > gsize - gpa)))
		return -EFAULT;
	for (size_t i = 0; i < len; i++)
		out[i] = gmem[(gpa + i) % gsize];
	return 0;
}

static struct result walk(const struct gwalk_ctx *w, uint64_t gla, unsigned access)
{
	struct result r = { 0, 0, 0x5a5a5a5a };
	gpa_t g = gpa(0);

	r.rc = gwalk_translate(w, gla, access, &g, &r.err);
	r.gpa = gpa_val(g);
	return r;
}

static bool structural(const struct result *r)
{
	return r->rc == -EIO || (r->rc == -EFAULT && (!(r->err & GWALK_PF_P) ||
						      (r->err & GWALK_PF_RSVD)));
}

/* The result on its own: allowed values, error-code bits, offset, width. */
static void check_one(const struct gwalk_ctx *w, uint64_t gla, unsigned access,
		      const struct result *r)
{
	uint32_t known = GWALK_PF_P | GWALK_PF_W | GWALK_PF_U | GWALK_PF_RSVD | GWALK_PF_I;

	switch (r->rc) {
	case 0:
		if (r->err || (r->gpa & 0xfff) != (gla & 0xfff) || (r->gpa >> w->maxphyaddr))
			__builtin_trap();
		if (!(w->cr0 & GWALK_CR0_PG) && r->gpa != (gla & 0xffffffff))
			__builtin_trap();
		break;
	case -EFAULT:
		if ((r->err & ~known) || ((r->err & GWALK_PF_RSVD) && !(r->err & GWALK_PF_P)))
			__builtin_trap();
		if (!(r->err & GWALK_PF_W) != !(access & GWALK_WRITE) ||
		    !(r->err & GWALK_PF_U) != !(access & GWALK_USER) ||
		    ((r->err & GWALK_PF_I) && !(access & GWALK_FETCH)))
			__builtin_trap();
		break;
	case -EIO:
	case -ERANGE:
	case -ENOTSUP:
	case -EINVAL:
		if (r->err)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
}

/* -EINVAL, -ENOTSUP, -ERANGE exactly when the inputs call for them. */
static void check_inputs(const struct gwalk_ctx *w, uint64_t gla, unsigned access,
			 const struct result *r)
{
	bool pg = w->cr0 & GWALK_CR0_PG, lma = w->efer & GWALK_EFER_LMA;
	bool bad = ((access & GWALK_WRITE) && (access & GWALK_FETCH)) || w->maxphyaddr < 32 ||
		   w->maxphyaddr > 52 || (lma && (!pg || !(w->cr4 & GWALK_CR4_PAE)));
	bool la57 = !bad && pg && lma && (w->cr4 & GWALK_CR4_LA57);
	uint64_t top = gla >> 47;
	bool noncanon = !bad && !la57 && pg && lma && top && top != 0x1ffff;

	if ((r->rc == -EINVAL) != bad || (r->rc == -ENOTSUP) != la57 ||
	    (r->rc == -ERANGE) != noncanon)
		__builtin_trap();
}

static bool same(const struct result *a, const struct result *b)
{
	return a->rc == b->rc && a->err == b->err && (a->rc || a->gpa == b->gpa);
}

/* Relations between the access kinds of one address. */
static void check_address(struct gwalk_ctx *w, uint64_t gla)
{
	static const unsigned kinds[] = {
		GWALK_READ, GWALK_WRITE, GWALK_FETCH, GWALK_USER, GWALK_USER | GWALK_WRITE,
		GWALK_USER | GWALK_FETCH, GWALK_AC, GWALK_AC | GWALK_WRITE,
	};
	struct result r[8], again;

	for (unsigned i = 0; i < 8; i++) {
		r[i] = walk(w, gla, kinds[i]);
		check_one(w, gla, kinds[i], &r[i]);
		check_inputs(w, gla, kinds[i], &r[i]);
		again = walk(w, gla, kinds[i]);
		if (!same(&r[i], &again))
			__builtin_trap();
	}
	for (unsigned i = 1; i < 8; i++)
		if (structural(&r[0]) != structural(&r[i]))
			__builtin_trap();
	/* one translation, whatever the access */
	for (unsigned i = 0, ok = 8; i < 8; i++) {
		if (r[i].rc)
			continue;
		if (ok < 8 && r[i].gpa != r[ok].gpa)
			__builtin_trap();
		ok = ok < 8 ? ok : i;
	}
	/* write ok -> read ok (supervisor, user, supervisor with AC) */
	if ((!r[1].rc && r[0].rc) || (!r[4].rc && r[3].rc) || (!r[7].rc && r[6].rc))
		__builtin_trap();
	/* user ok -> supervisor with AC ok (SMAP aside, supervisor may do more) */
	if ((!r[3].rc && r[6].rc) || (!r[4].rc && r[7].rc))
		__builtin_trap();
	/* WP=1 allows -> WP=0 allows */
	if (!r[1].rc && (w->cr0 & GWALK_CR0_WP)) {
		w->cr0 &= ~GWALK_CR0_WP;
		again = walk(w, gla, GWALK_WRITE);
		w->cr0 |= GWALK_CR0_WP;
		if (!same(&r[1], &again))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr h;
	struct gwalk_ctx w;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	gmem = data + sizeof(h);
	gsize = size - sizeof(h) < MAX_MEM ? size - sizeof(h) : MAX_MEM;
	strict = h.flags & FLAG_STRICT;
	w = (struct gwalk_ctx){
		.cr0 = h.cr0, .cr3 = h.cr3, .cr4 = h.cr4, .efer = h.efer,
		/* mostly plausible widths, sometimes anything */
		.maxphyaddr = h.maxphyaddr < 0xf0 ? 32 + h.maxphyaddr % 21 : h.maxphyaddr & 0x3f,
		.gbpages = h.flags & FLAG_GBPAGE, .read_gpa = rd,
	};
	for (unsigned i = 0; i < NADDR; i++)
		check_address(&w, h.gla[i]);
	return 0;
}
