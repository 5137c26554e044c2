/* SPDX-License-Identifier: MIT */
/*
 * Host page tables. The core runs identity-mapped (virtual == physical).
 * paging_init() replaces the boot tables with W^X ones: all memory the
 * firmware map knows plus the low 4 GiB is mapped read/write and
 * no-execute; the core's text is read/execute, its rodata read-only; page
 * 0 is not mapped so NULL dereferences fault.
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "include/basalt/boot_info.h"

enum page_perm {
	PAGE_NONE, /* not present */
	PAGE_RO,   /* read-only, no execute */
	PAGE_RW,   /* read/write, no execute */
	PAGE_RX,   /* read/execute */
};

int paging_init(const struct boot_mem_region *map, unsigned n);
/* Change the permission of the 4 KiB pages in [va, va + len). Boot only. */
int paging_protect(uint64_t va, uint64_t len, enum page_perm perm);
/* Physical address of the top-level table (for APs and VMX host state). */
uint64_t paging_root(void);
/* Is the byte range mapped and readable? (For firmware-table parsing.) */
bool paging_readable(uint64_t va, uint64_t len);

#endif
