/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: small, long-lived allocations (device state, VM
 * descriptors). Page-sized and larger memory comes from pmm_alloc().
 * Callable from any CPU; returns NULL when full.
 */
#ifndef ARCH_HEAP_H
#define ARCH_HEAP_H

#include <stddef.h>

/* Give the heap [base, base + size). */
void heap_init(void *base, size_t size);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
size_t heap_free_bytes(void);

#endif
