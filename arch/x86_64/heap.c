// SPDX-License-Identifier: MIT
/*
 * First-fit heap with boundary tags: each block starts with its size and
 * a free flag. A free block absorbs its free successors when freed and
 * again when kmalloc() scans it, so a block freed before its successor
 * still merges with it. The heap is small and allocations are rare, so a
 * linear scan is enough.
 */
#include <stdint.h>

#include "arch/x86_64/heap.h"
#include "arch/x86_64/spinlock.h"
#include "drivers/console.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

#define ALIGN 16
#define BLOCK_USED 0x6465737570616568ull /* "heapused" */
#define BLOCK_FREE 0x6565726670616568ull /* "heapfree" */

struct block {
	uint64_t magic; /* BLOCK_USED or BLOCK_FREE: catches bad frees */
	size_t size;    /* bytes, header included */
};
_Static_assert(sizeof(struct block) % ALIGN == 0, "heap header keeps alignment");

static uint8_t *heap_base, *heap_end;
static struct spinlock heap_lock = SPINLOCK_INIT;

static struct block *next_block(struct block *b)
{
	uint8_t *n = (uint8_t *)b + b->size;

	return n < heap_end ? (struct block *)n : NULL;
}

/* Merge the free blocks that follow the free block b into it (lock held). */
static void absorb_free_successors(struct block *b)
{
	struct block *n;

	while ((n = next_block(b)) && n->magic == BLOCK_FREE) {
		b->size += n->size;
		n->magic = 0;
	}
}

void heap_init(void *base, size_t size)
{
	struct block *b;

	heap_base = (uint8_t *)(((uintptr_t)base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
	heap_end = heap_base + ((size - (size_t)(heap_base - (uint8_t *)base)) & ~(size_t)(ALIGN - 1));
	b = (struct block *)heap_base;
	b->magic = BLOCK_FREE;
	b->size = (size_t)(heap_end - heap_base);
}

void *kmalloc(size_t size)
{
	size_t need;
	uint64_t flags;
	void *ret = NULL;

	if (!size || size > (size_t)(heap_end - heap_base))
		return NULL;
	need = sizeof(struct block) + ((size + ALIGN - 1) & ~(size_t)(ALIGN - 1));
	flags = spin_lock_irqsave(&heap_lock);
	for (struct block *b = (struct block *)heap_base; b; b = next_block(b)) {
		if (b->magic != BLOCK_FREE)
			continue;
		absorb_free_successors(b);
		if (b->size < need)
			continue;
		if (b->size >= need + sizeof(struct block) + ALIGN) {
			struct block *rest = (struct block *)((uint8_t *)b + need);

			rest->magic = BLOCK_FREE;
			rest->size = b->size - need;
			b->size = need;
		}
		b->magic = BLOCK_USED;
		ret = b + 1;
		break;
	}
	spin_unlock_irqrestore(&heap_lock, flags);
	return ret;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	struct block *b;
	uint64_t flags;

	if (!p)
		return;
	b = (struct block *)p - 1;
	if ((uint8_t *)b < heap_base || (uint8_t *)b >= heap_end || b->magic != BLOCK_USED)
		panic("kfree(%p): not an allocated heap block", p);
	flags = spin_lock_irqsave(&heap_lock);
	b->magic = BLOCK_FREE;
	absorb_free_successors(b);
	spin_unlock_irqrestore(&heap_lock, flags);
}

size_t heap_free_bytes(void)
{
	size_t sum = 0;

	for (struct block *b = (struct block *)heap_base; b; b = next_block(b))
		if (b->magic == BLOCK_FREE)
			sum += b->size - sizeof(struct block);
	return sum;
}
