/* SPDX-License-Identifier: MIT */
/*
 * Checking the core's ELF image before anything is loaded.
 *
 * The core is a statically linked x86-64 ELF64 executable whose PT_LOAD
 * segments go to their physical addresses (p_paddr). The loader reads the
 * file in two steps, so that the image never has to sit in memory twice:
 *
 *   1. the first LOADER_ELF_EHDR_SIZE bytes  -> loader_elf_check_header()
 *   2. phnum * LOADER_ELF_PHDR_SIZE bytes at phoff -> loader_elf_check_phdrs()
 *
 * and then, for each segment, allocates the page ranges computed here and
 * reads filesz bytes from the file to paddr (zeroing the rest of memsz).
 *
 * Pure code: no EFI headers, no allocation, no libc; unit-tested on the host
 * (tests/unit/test_efi_loader.c). Errors leave a message in elf->error,
 * starting with "bad ELF: ".
 */
#ifndef BOOT_EFI_LOADER_ELF_H
#define BOOT_EFI_LOADER_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/efi/loader_msg.h"

#define LOADER_ELF_EHDR_SIZE 64  /* sizeof(Elf64_Ehdr) */
#define LOADER_ELF_PHDR_SIZE 56  /* sizeof(Elf64_Phdr) */
#define LOADER_ELF_MAX_PHDRS 64  /* program headers accepted */
#define LOADER_PAGE_SIZE     4096

/* One PT_LOAD segment with memsz > 0. */
struct loader_elf_seg {
	uint64_t offset; /* in the file */
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz; /* >= filesz */
	bool exec;      /* PF_X */
};

/* Whole pages to allocate: [base, end), sorted, disjoint, not adjacent. */
struct loader_elf_range {
	uint64_t base;
	uint64_t end;
	bool exec; /* holds part of an executable segment */
};

struct loader_elf {
	uint64_t entry;
	uint64_t phoff;
	unsigned phnum;
	unsigned nr_segs;
	struct loader_elf_seg segs[LOADER_ELF_MAX_PHDRS];
	unsigned nr_ranges;
	struct loader_elf_range ranges[LOADER_ELF_MAX_PHDRS];
	uint64_t lo, hi; /* lowest paddr, highest paddr + memsz */
	char error[LOADER_ERR_LEN];
};

/*
 * Step 1. hdr holds the file's first len bytes (len may be short when the
 * file is); file_size is the whole file's. Fills entry, phoff, phnum.
 * Returns 0 or -1 with elf->error set.
 */
int loader_elf_check_header(struct loader_elf *elf, const void *hdr, size_t len,
			    uint64_t file_size);

/*
 * Step 2. phdrs holds elf->phnum program headers. Fills segs, ranges, lo and
 * hi; checks that segments fit in the file and in the address space, do not
 * overlap, and that the entry point lies in an executable one.
 * Returns 0 or -1 with elf->error set.
 */
int loader_elf_check_phdrs(struct loader_elf *elf, const void *phdrs, size_t len,
			   uint64_t file_size);

#endif
