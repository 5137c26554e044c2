/* SPDX-License-Identifier: MIT */
/*
 * The boot hand-off: what a loader tells the Basalt core.
 *
 * Both boot paths produce exactly this structure:
 *   - boot/mb2.c turns a multiboot2 information block (GRUB, BIOS or UEFI)
 *     into it, inside the core;
 *   - boot/efi/loader.c (BOOTX64.EFI, a separate binary) fills it before
 *     ExitBootServices() and passes its physical address to the core's
 *     64-bit entry point in %rdi.
 *
 * The structure is self-contained (no pointers, fixed size) so that it can
 * be built by one program and consumed by another. The core copies it into
 * its own storage before it allocates any memory, so the loader may place it
 * in any memory it reports as usable.
 *
 * Addresses are physical. All strings are NUL-terminated; a loader truncates
 * anything that does not fit and says so.
 */
#ifndef BASALT_BOOT_INFO_H
#define BASALT_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC   0x4f464e49544c5342ull /* "BSLTINFO" */
#define BOOT_INFO_VERSION 1

#define BOOT_MAX_MEM      256 /* memory-map entries kept */
#define BOOT_MAX_MODULES  32  /* boot modules (guest kernels, manifest, ...) */
#define BOOT_CMDLINE_LEN  512 /* core command line, NUL included */
#define BOOT_MODNAME_LEN  256 /* module string (path and arguments) */

/* Who produced the structure. */
enum boot_source {
	BOOT_SRC_MULTIBOOT2 = 1,
	BOOT_SRC_UEFI = 2,
};

/* Memory types, the e820 ones plus what a loader occupied. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum boot_mem_type */
	uint32_t reserved;
};

struct boot_module {
	uint64_t base;
	uint64_t len;
	char name[BOOT_MODNAME_LEN]; /* "path [args]" as the loader saw it */
};

struct boot_framebuffer {
	uint64_t base; /* 0: none */
	uint32_t pitch; /* bytes per scan line */
	uint32_t width;
	uint32_t height;
	uint32_t bpp;
};

struct boot_info {
	uint64_t magic; /* BOOT_INFO_MAGIC */
	uint32_t version; /* BOOT_INFO_VERSION */
	uint32_t source; /* enum boot_source */
	uint64_t rsdp; /* ACPI RSDP physical address, 0: unknown */
	/*
	 * A copy of the RSDP (multiboot2 passes only a copy, no address);
	 * rsdp_len 0: no copy. The core uses the copy when present, else
	 * the address, else scans the BIOS areas.
	 */
	uint32_t rsdp_len;
	uint8_t rsdp_copy[36];
	uint32_t nr_mem;
	uint32_t nr_modules;
	char cmdline[BOOT_CMDLINE_LEN];
	char loader[64]; /* loader name, for the log */
	struct boot_framebuffer fb;
	struct boot_mem_region mem[BOOT_MAX_MEM];
	struct boot_module modules[BOOT_MAX_MODULES];
};

#endif /* BASALT_BOOT_INFO_H */
