// SPDX-License-Identifier: MIT
/* arch/x86_64/heap.c: first-fit heap with boundary tags, on a malloc'd arena. */
#include <stdlib.h>

#include "arch/x86_64/heap.c"
#include "tests/unit/unit.h"

#define ARENA 4096
#define HDR sizeof(struct block)

static uint8_t *arena;

/* A fresh heap on [arena + 3, arena + ARENA): the start is misaligned. */
static size_t fresh(void)
{
	free(arena);
	arena = malloc(ARENA); /* 16-aligned */
	memset(arena, 0xcc, ARENA);
	heap_init(arena + 3, ARENA - 3);
	return heap_free_bytes();
}

static int in_arena(const void *p, size_t n)
{
	return (const uint8_t *)p >= arena && (const uint8_t *)p + n <= arena + ARENA;
}

TEST(heap_init_aligns)
{
	/* base rounds up to arena + 16, the end down to a multiple of 16 */
	CHECK_EQ_U(fresh(), ((ARENA - 16) & ~15ul) - HDR);
	CHECK_EQ_U((uintptr_t)heap_base % ALIGN, 0);
	CHECK_EQ_U((uintptr_t)heap_end % ALIGN, 0);
	CHECK(heap_base >= arena + 3 && heap_end <= arena + ARENA);
}

TEST(heap_alignment_16)
{
	void *p[64];

	fresh();
	for (size_t i = 0; i < 64; i++) {
		p[i] = kmalloc(i % 23 + 1);
		CHECK(p[i] != NULL);
		CHECK_EQ_U((uintptr_t)p[i] % 16, 0);
		CHECK(in_arena(p[i], i % 23 + 1));
		memset(p[i], (int)i, i % 23 + 1);
	}
	/* no allocation overlaps another */
	for (size_t i = 0; i < 64; i++)
		for (size_t j = 0; j < i % 23 + 1; j++)
			CHECK_EQ_U(((uint8_t *)p[i])[j], i);
	for (size_t i = 0; i < 64; i++)
		kfree(p[i]);
}

TEST(heap_accounting)
{
	size_t f0 = fresh();
	void *a = kmalloc(1), *b = kmalloc(17), *c = kmalloc(32);

	CHECK(a && b && c);
	CHECK_EQ_U(heap_free_bytes(), f0 - (16 + HDR) - (32 + HDR) - (32 + HDR));
	CHECK_EQ_U((uint8_t *)b - (uint8_t *)a, 16 + HDR);
	CHECK_EQ_U((uint8_t *)c - (uint8_t *)b, 32 + HDR);
	kfree(NULL);
	kfree(c);
	kfree(b);
	kfree(a);
	CHECK_EQ_U(heap_free_bytes(), f0);
}

TEST(heap_exhaustion)
{
	size_t f0 = fresh(), n = 0;
	void *p;

	CHECK(kmalloc(0) == NULL);
	CHECK(kmalloc(ARENA) == NULL);
	CHECK(kmalloc(f0 + 1) == NULL);
	CHECK(kmalloc((size_t)-1) == NULL);
	CHECK(kmalloc((size_t)-1 - 8) == NULL);
	CHECK(kzalloc((size_t)-1) == NULL);
	/* the whole heap in one allocation, then nothing */
	p = kmalloc(f0);
	CHECK(p != NULL);
	CHECK(in_arena(p, f0));
	CHECK_EQ_U(heap_free_bytes(), 0);
	CHECK(kmalloc(1) == NULL);
	kfree(p);
	CHECK_EQ_U(heap_free_bytes(), f0);
	/* many small ones until it is full */
	while ((p = kmalloc(40)) != NULL) {
		memset(p, 0x77, 40);
		n++;
	}
	CHECK_EQ_U(n, (f0 + HDR) / (48 + HDR));
	/* 4080 - 63 * 64 = 48 bytes left: one header and 32 bytes */
	CHECK_EQ_U(heap_free_bytes(), 32);
	CHECK(kmalloc(33) == NULL);
	CHECK(kmalloc(32) != NULL);
	CHECK(kmalloc(1) == NULL);
}

/* A remainder too small for a header and 16 bytes stays with the block. */
TEST(heap_split_threshold)
{
	size_t f0 = fresh();
	void *p;

	p = kmalloc(f0 - HDR - 16); /* leaves exactly header + 16: split */
	CHECK(p != NULL);
	CHECK_EQ_U(heap_free_bytes(), 16);
	CHECK(kmalloc(16) != NULL);
	CHECK_EQ_U(heap_free_bytes(), 0);
	fresh();
	p = kmalloc(f0 - 16); /* leaves only 16: no split */
	CHECK(p != NULL);
	CHECK_EQ_U(heap_free_bytes(), 0);
	CHECK(kmalloc(1) == NULL);
	kfree(p);
	CHECK_EQ_U(heap_free_bytes(), f0);
}

TEST(heap_first_fit_reuse)
{
	void *a, *b, *c;

	fresh();
	a = kmalloc(64);
	b = kmalloc(64);
	kfree(a);
	c = kmalloc(32); /* fits in a's hole */
	CHECK(c == a);
	c = kmalloc(64); /* does not fit in what is left of it */
	CHECK((uint8_t *)c > (uint8_t *)b);
}

/* Freeing a block absorbs every free block after it. */
TEST(heap_coalesce_successors)
{
	size_t f0 = fresh();
	void *a = kmalloc(100), *b = kmalloc(200), *c = kmalloc(300);

	kfree(c); /* joins the free tail */
	kfree(b); /* joins c and the tail */
	CHECK(kmalloc(f0 - 112 - HDR) != NULL); /* everything after a, in one piece */
	fresh();
	a = kmalloc(100);
	b = kmalloc(200);
	c = kmalloc(300);
	kfree(c);
	kfree(b);
	kfree(a);
	CHECK_EQ_U(heap_free_bytes(), f0);
	CHECK(kmalloc(f0) != NULL);
}

/*
 * Blocks freed in allocation order (each one's successor still in use at
 * the time) must still come together again for a large allocation.
 */
TEST(heap_coalesce_free_in_order)
{
	size_t f0 = fresh();
	void *p[8];

	for (int i = 0; i < 8; i++)
		p[i] = kmalloc(200);
	for (int i = 0; i < 8; i++)
		kfree(p[i]);
	CHECK(kmalloc(f0) != NULL);
	CHECK_EQ_U(heap_free_bytes(), 0);
	/* and with a used block in between: the two sides stay apart */
	fresh();
	for (int i = 0; i < 8; i++)
		p[i] = kmalloc(200);
	for (int i = 0; i < 8; i++)
		if (i != 4)
			kfree(p[i]);
	CHECK(kmalloc(4 * (208 + HDR) - HDR) != NULL); /* p[0..3] as one block */
	CHECK(kmalloc(f0 - 4 * (208 + HDR)) == NULL);
}

TEST(heap_kzalloc_zeroes)
{
	void *p, *q;
	uint8_t *z;

	fresh();
	p = kmalloc(1000);
	memset(p, 0xab, 1000);
	kfree(p);
	z = kzalloc(999);
	CHECK((void *)z == p);
	for (int i = 0; i < 999; i++)
		if (z[i]) {
			CHECK(!"kzalloc left a byte set");
			break;
		}
	q = kzalloc(24);
	CHECK(q && ((uint8_t *)q)[0] == 0 && ((uint8_t *)q)[23] == 0);
}

/* A pseudo-random workload: contents survive, the heap comes back whole. */
TEST(heap_random_workload)
{
	size_t f0 = fresh();
	void *p[32] = { 0 };
	size_t sz[32] = { 0 };
	uint32_t x = 12345;

	for (int round = 0; round < 5000; round++) {
		unsigned i;

		x = x * 1103515245 + 12345;
		i = (x >> 16) % 32;
		if (p[i]) {
			for (size_t j = 0; j < sz[i]; j++)
				if (((uint8_t *)p[i])[j] != (uint8_t)i) {
					CHECK(!"heap block overwritten");
					break;
				}
			kfree(p[i]);
			p[i] = NULL;
		} else {
			sz[i] = (x >> 8) % 300 + 1;
			p[i] = kmalloc(sz[i]);
			if (p[i]) {
				CHECK_EQ_U((uintptr_t)p[i] % 16, 0);
				memset(p[i], (int)i, sz[i]);
			}
		}
	}
	for (int i = 0; i < 32; i++)
		kfree(p[i]);
	CHECK(kmalloc(f0) != NULL);
}
