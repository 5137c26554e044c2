// SPDX-License-Identifier: MIT
/*
 * UEFI memory map -> boot_info memory map (see loader_mmap.h).
 *
 * Firmware maps are usually sorted and disjoint, but the specification does
 * not promise it, and nothing may be allocated after ExitBootServices(). So
 * the conversion sweeps the address space from one descriptor boundary to
 * the next (found by scanning all descriptors: O(n^2) over a few hundred
 * entries, once per boot); each piece between two boundaries gets the most
 * protective type of the descriptors covering it, and touching pieces of
 * one type merge.
 */
#include <stdbool.h>

#include "boot/efi/loader_mmap.h"

static const char *const efi_names[LOADER_EFI_NR_TYPES] = {
	[LOADER_EFI_RESERVED] = "Reserved",
	[LOADER_EFI_LOADER_CODE] = "LoaderCode",
	[LOADER_EFI_LOADER_DATA] = "LoaderData",
	[LOADER_EFI_BS_CODE] = "BootServicesCode",
	[LOADER_EFI_BS_DATA] = "BootServicesData",
	[LOADER_EFI_RT_CODE] = "RuntimeServicesCode",
	[LOADER_EFI_RT_DATA] = "RuntimeServicesData",
	[LOADER_EFI_CONVENTIONAL] = "ConventionalMemory",
	[LOADER_EFI_UNUSABLE] = "UnusableMemory",
	[LOADER_EFI_ACPI_RECLAIM] = "ACPIReclaimMemory",
	[LOADER_EFI_ACPI_NVS] = "ACPIMemoryNVS",
	[LOADER_EFI_MMIO] = "MemoryMappedIO",
	[LOADER_EFI_MMIO_PORT] = "MemoryMappedIOPortSpace",
	[LOADER_EFI_PAL_CODE] = "PalCode",
	[LOADER_EFI_PERSISTENT] = "PersistentMemory",
	[LOADER_EFI_UNACCEPTED] = "UnacceptedMemory",
};

uint32_t loader_mmap_type(uint32_t efi_type)
{
	switch (efi_type) {
	case LOADER_EFI_CONVENTIONAL:
	case LOADER_EFI_BS_CODE:
	case LOADER_EFI_BS_DATA:
	case LOADER_EFI_LOADER_CODE:
	case LOADER_EFI_LOADER_DATA:
		return BOOT_MEM_USABLE;
	case LOADER_EFI_ACPI_RECLAIM:
		return BOOT_MEM_ACPI_RECLAIM;
	case LOADER_EFI_ACPI_NVS:
		return BOOT_MEM_ACPI_NVS;
	case LOADER_EFI_UNUSABLE:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

const char *loader_mmap_efi_name(uint32_t efi_type)
{
	return efi_type < LOADER_EFI_NR_TYPES ? efi_names[efi_type] : "type?";
}

static struct loader_efi_desc read_desc(const void *map, size_t desc_size, size_t i)
{
	struct loader_efi_desc d;

	__builtin_memcpy(&d, (const char *)map + i * desc_size, sizeof(d));
	return d;
}

/* End of a descriptor's range, clamped at the top of the address space. */
static uint64_t desc_end(const struct loader_efi_desc *d)
{
	uint64_t room = (UINT64_MAX - d->phys_start) >> LOADER_EFI_PAGE_SHIFT;

	return d->nr_pages > room ? UINT64_MAX
				  : d->phys_start + (d->nr_pages << LOADER_EFI_PAGE_SHIFT);
}

/* Where descriptors overlap, the type that protects the memory most wins. */
static unsigned type_rank(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:
		return 1;
	case BOOT_MEM_ACPI_RECLAIM:
		return 2;
	case BOOT_MEM_RESERVED:
		return 3;
	case BOOT_MEM_ACPI_NVS:
		return 4;
	default: /* BOOT_MEM_BAD */
		return 5;
	}
}

/*
 * The smallest descriptor boundary above at (UINT64_MAX when none), and in
 * *type the winning type of the memory at at (0: no descriptor covers it).
 */
static uint64_t scan(const void *map, size_t n, size_t desc_size, uint64_t at,
		     uint32_t *type)
{
	uint64_t next = UINT64_MAX;

	*type = 0;
	for (size_t i = 0; i < n; i++) {
		struct loader_efi_desc d = read_desc(map, desc_size, i);
		uint64_t end = desc_end(&d);
		uint32_t t = loader_mmap_type(d.type);

		if (d.phys_start == end)
			continue;
		if (d.phys_start > at && d.phys_start < next)
			next = d.phys_start;
		if (end > at && end < next)
			next = end;
		if (d.phys_start <= at && at < end && (!*type || type_rank(t) > type_rank(*type)))
			*type = t;
	}
	return next;
}

/* Append [base, end) to out[0..*nr), merging with the last region. */
static void add_region(struct boot_mem_region *out, unsigned *nr, unsigned max,
		       uint64_t base, uint64_t end, uint32_t type, unsigned *dropped)
{
	struct boot_mem_region *last = *nr ? &out[*nr - 1] : NULL;

	if (!*dropped && last && last->type == type && last->base + last->len == base) {
		last->len += end - base;
	} else if (*dropped || *nr == max) {
		(*dropped)++; /* and from now on nothing merges over the gap */
	} else {
		out[*nr].base = base;
		out[*nr].len = end - base;
		out[*nr].type = type;
		out[*nr].reserved = 0;
		(*nr)++;
	}
}

unsigned loader_mmap_convert(const void *map, size_t map_size, size_t desc_size,
			     struct boot_mem_region *out, unsigned max, unsigned *dropped)
{
	unsigned nr = 0;
	uint64_t at = 0, next;
	uint32_t type;
	size_t n;

	*dropped = 0;
	if (desc_size < sizeof(struct loader_efi_desc))
		return 0;
	n = map_size / desc_size;
	/* Sweep the boundaries upwards; each step is one piece of constant type. */
	for (next = scan(map, n, desc_size, at, &type); at != UINT64_MAX;
	     next = scan(map, n, desc_size, at, &type)) {
		if (type)
			add_region(out, &nr, max, at, next, type, dropped);
		at = next;
	}
	return nr;
}
