/* SPDX-License-Identifier: MIT */
/*
 * Turning the UEFI memory map into struct boot_info's memory map.
 *
 * Runs after ExitBootServices(), so it is pure code that only reads the
 * buffer GetMemoryMap() filled: no EFI headers, no allocation, no libc.
 * Unit-tested on the host (tests/unit/test_efi_loader.c).
 *
 *   EFI type                                  boot_mem_type
 *   ---------------------------------------   ----------------------
 *   Conventional, BootServicesCode/Data,      BOOT_MEM_USABLE
 *   LoaderCode/Data
 *   ACPIReclaimMemory                         BOOT_MEM_ACPI_RECLAIM
 *   ACPIMemoryNVS                             BOOT_MEM_ACPI_NVS
 *   UnusableMemory                            BOOT_MEM_BAD
 *   everything else (runtime services, MMIO,  BOOT_MEM_RESERVED
 *   reserved, PAL code, persistent, unaccepted, unknown)
 *
 * The loader's own allocations (core image, modules, boot_info) are Loader
 * memory and so come out usable: the core learns about its image and the
 * modules from boot_info, not from the map.
 */
#ifndef BOOT_EFI_LOADER_MMAP_H
#define BOOT_EFI_LOADER_MMAP_H

#include <stddef.h>
#include <stdint.h>

#include "include/basalt/boot_info.h"

/* UEFI 2.10 §7.2, EFI_BOOT_SERVICES.AllocatePages(): EFI_MEMORY_TYPE. */
enum loader_efi_mem_type {
	LOADER_EFI_RESERVED = 0,
	LOADER_EFI_LOADER_CODE = 1,
	LOADER_EFI_LOADER_DATA = 2,
	LOADER_EFI_BS_CODE = 3,
	LOADER_EFI_BS_DATA = 4,
	LOADER_EFI_RT_CODE = 5,
	LOADER_EFI_RT_DATA = 6,
	LOADER_EFI_CONVENTIONAL = 7,
	LOADER_EFI_UNUSABLE = 8,
	LOADER_EFI_ACPI_RECLAIM = 9,
	LOADER_EFI_ACPI_NVS = 10,
	LOADER_EFI_MMIO = 11,
	LOADER_EFI_MMIO_PORT = 12,
	LOADER_EFI_PAL_CODE = 13,
	LOADER_EFI_PERSISTENT = 14,
	LOADER_EFI_UNACCEPTED = 15,
	LOADER_EFI_NR_TYPES
};

#define LOADER_EFI_PAGE_SHIFT 12

/*
 * UEFI 2.10 §7.2, EFI_BOOT_SERVICES.GetMemoryMap(): EFI_MEMORY_DESCRIPTOR.
 * The firmware's descriptor stride (desc_size) may be larger than this.
 */
struct loader_efi_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t nr_pages;
	uint64_t attribute;
};

_Static_assert(sizeof(struct loader_efi_desc) == 40, "EFI_MEMORY_DESCRIPTOR layout");

/* enum boot_mem_type for an EFI memory type (table above). */
uint32_t loader_mmap_type(uint32_t efi_type);

/* "ConventionalMemory", ... or "type?" for unknown values; for messages. */
const char *loader_mmap_efi_name(uint32_t efi_type);

/*
 * Convert map_size bytes of descriptors, desc_size apart, into out[0..max):
 * sorted by base, touching regions of the same type merged, zero-length
 * descriptors skipped. Where descriptors overlap (broken firmware) the most
 * protective type wins: bad > ACPI NVS > reserved > ACPI reclaim > usable.
 * When more than max regions result, the lowest max are kept and *dropped
 * counts the rest (0 when complete). Returns the number of regions stored;
 * 0 when desc_size is smaller than a descriptor.
 */
unsigned loader_mmap_convert(const void *map, size_t map_size, size_t desc_size,
			     struct boot_mem_region *out, unsigned max, unsigned *dropped);

#endif
