/* SPDX-License-Identifier: MIT */
/*
 * Firmware memory maps are messy: unsorted, overlapping, unaligned.
 * memmap_normalize() turns one into sorted, non-overlapping regions where
 * the stricter type wins an overlap (anything beats usable), usable
 * regions shrink to whole pages, and neighbours of one type merge. Pure.
 */
#ifndef ARCH_MEMMAP_H
#define ARCH_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "include/basalt/boot_info.h"

/*
 * Normalize the n regions in map (capacity cap) in place; returns the new
 * count, or -E2BIG when splitting needs more than cap entries.
 */
int memmap_normalize(struct boot_mem_region *map, unsigned n, unsigned cap);
/* Total bytes of the given type. */
uint64_t memmap_total(const struct boot_mem_region *map, unsigned n, uint32_t type);
const char *memmap_type_name(uint32_t type);

#endif
