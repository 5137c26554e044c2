// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for memory-map normalization (arch/x86_64/memmap.c).
 *
 * Input: an array of struct boot_mem_region (24 bytes each: base, len,
 * type, reserved), n = size / 24 capped at BOOT_MAX_MEM. The result is
 * checked against the input with a reference "strictest type covering
 * address x" (the input is a set of ranges, so that is the whole meaning):
 *   - sorted, non-overlapping, non-empty regions; usable ones page-aligned;
 *   - every output region has the reference type throughout;
 *   - every non-usable input point is in the output with its type, and
 *     every page that is wholly usable in the input is usable in the output;
 *   - normalizing the output again changes nothing.
 *
 * Seeds: tests/fuzz/corpus/memmap/:
 *   build/fuzz/fuzz_memmap -max_total_time=60 <new dir> tests/fuzz/corpus/memmap
 */
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/memmap.c"

static struct boot_mem_region in[BOOT_MAX_MEM], out[BOOT_MAX_MEM], again[BOOT_MAX_MEM];
static unsigned nin;
static uint64_t edges[2 * BOOT_MAX_MEM];
static unsigned nedges;

static uint64_t end_of(const struct boot_mem_region *r)
{
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

/* Rank of the strictest input region covering x; -1 when none does. */
static int ref_rank(uint64_t x)
{
	int best = -1;

	for (unsigned i = 0; i < nin; i++) {
		if (in[i].len && in[i].base <= x && x < end_of(&in[i]) &&
		    type_rank(in[i].type) > best)
			best = type_rank(in[i].type);
	}
	return best;
}

/* Does the reference give rank r to all of [a, b)? (b > a) */
static bool ref_constant(uint64_t a, uint64_t b, int r)
{
	if (ref_rank(a) != r || ref_rank(b - 1) != r)
		return false;
	for (unsigned i = 0; i < nedges; i++) {
		uint64_t e = edges[i];

		if (e > a && e < b && (ref_rank(e) != r || ref_rank(e - 1) != r))
			return false;
	}
	return true;
}

/* The output region holding x, or NULL. */
static const struct boot_mem_region *find(const struct boot_mem_region *m, int n, uint64_t x)
{
	for (int i = 0; i < n; i++)
		if (m[i].base <= x && x - m[i].base < m[i].len)
			return &m[i];
	return NULL;
}

static void check_output(int n)
{
	for (int i = 0; i < n; i++) {
		const struct boot_mem_region *r = &out[i];

		if (!r->len || r->base + r->len < r->base)
			__builtin_trap();
		if (i && out[i - 1].base + out[i - 1].len > r->base)
			__builtin_trap(); /* unsorted or overlapping */
		if (r->type == BOOT_MEM_USABLE && ((r->base | r->len) & (PAGE_SIZE - 1)))
			__builtin_trap();
		if (!ref_constant(r->base, r->base + r->len, type_rank(r->type)))
			__builtin_trap();
	}
}

/* Nothing lost: checked at every input edge and the pages around it. */
static void check_coverage(int n)
{
	for (unsigned i = 0; i < nedges; i++) {
		uint64_t x = edges[i], page = x & ~(PAGE_SIZE - 1);
		int rank = ref_rank(x);
		const struct boot_mem_region *r = find(out, n, x);

		if (rank > 0 && (!r || type_rank(r->type) != rank))
			__builtin_trap();
		for (int k = 0; k < 2; k++, page += PAGE_SIZE) {
			if (page > UINT64_MAX - PAGE_SIZE)
				break;
			if (ref_constant(page, page + PAGE_SIZE, 0)) {
				r = find(out, n, page);
				if (!r || r->type != BOOT_MEM_USABLE || page + PAGE_SIZE - r->base > r->len)
					__builtin_trap();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int n, n2;

	nin = (unsigned)(size / sizeof(struct boot_mem_region));
	if (nin > BOOT_MAX_MEM)
		nin = BOOT_MAX_MEM;
	memcpy(in, data, nin * sizeof(in[0]));
	memcpy(out, in, sizeof(out));
	nedges = 0;
	for (unsigned i = 0; i < nin; i++) {
		if (!in[i].len)
			continue;
		edges[nedges++] = in[i].base;
		edges[nedges++] = end_of(&in[i]);
	}

	n = memmap_normalize(out, nin, BOOT_MAX_MEM);
	if (n == -E2BIG)
		return 0; /* legal: splitting can need up to 2n - 1 entries */
	if (n < 0 || n > BOOT_MAX_MEM)
		__builtin_trap();
	check_output(n);
	check_coverage(n);

	memcpy(again, out, sizeof(again));
	n2 = memmap_normalize(again, (unsigned)n, BOOT_MAX_MEM);
	if (n2 != n || memcmp(again, out, (size_t)n * sizeof(out[0])) != 0)
		__builtin_trap();
	(void)memmap_total(out, (unsigned)n, BOOT_MEM_USABLE);
	return 0;
}
