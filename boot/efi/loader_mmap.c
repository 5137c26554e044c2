// SPDX-License-Identifier: MIT
/*
 * UEFI memory map -> boot_info memory map (see loader_mmap.h).
 *
 * Firmware maps are usually sorted, but the specification does not promise
 * it, and nothing may be allocated after ExitBootServices(); so descriptors
 * are visited in (base, index) order by selection: O(n^2) over a few
 * hundred entries, once per boot.
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

/* The region a descriptor covers, its length clamped at the top of memory. */
static struct boot_mem_region desc_region(const struct loader_efi_desc *d)
{
	struct boot_mem_region r = { d->phys_start, 0, loader_mmap_type(d->type), 0 };
	uint64_t room = (UINT64_MAX - d->phys_start) >> LOADER_EFI_PAGE_SHIFT;

	r.len = d->nr_pages > room ? UINT64_MAX - d->phys_start
				   : d->nr_pages << LOADER_EFI_PAGE_SHIFT;
	return r;
}

/* Index of the first descriptor after (base, idx) in (base, index) order. */
static size_t next_desc(const void *map, size_t n, size_t desc_size, uint64_t base,
			size_t idx, bool first)
{
	size_t best = n;
	uint64_t best_base = 0;

	for (size_t i = 0; i < n; i++) {
		struct loader_efi_desc d = read_desc(map, desc_size, i);

		if (d.nr_pages == 0)
			continue;
		if (!first && (d.phys_start < base || (d.phys_start == base && i <= idx)))
			continue;
		if (best == n || d.phys_start < best_base) {
			best = i;
			best_base = d.phys_start;
		}
	}
	return best;
}

/*
 * Append r (whose base is >= every stored base) to out[0..*nr): resolve an
 * overlap with the last region, then merge with it or add a new entry.
 */
static void add_region(struct boot_mem_region *out, unsigned *nr, unsigned max,
		       struct boot_mem_region r, unsigned *dropped)
{
	struct boot_mem_region *last = *nr ? &out[*nr - 1] : NULL;
	uint64_t last_end = last ? last->base + last->len : 0;

	if (last && r.base < last_end) {
		if (last->type == BOOT_MEM_USABLE && r.type != BOOT_MEM_USABLE) {
			last->len = r.base - last->base; /* the reserved one wins */
			if (last->len == 0)
				(*nr)--;
		} else if (r.base + r.len <= last_end) {
			return; /* inside the last region */
		} else {
			r.len -= last_end - r.base;
			r.base = last_end;
		}
		last = *nr ? &out[*nr - 1] : NULL;
		last_end = last ? last->base + last->len : 0;
	}
	if (last && last->type == r.type && last_end == r.base) {
		last->len += r.len;
		return;
	}
	if (*nr == max) {
		(*dropped)++;
		return;
	}
	out[(*nr)++] = r;
}

unsigned loader_mmap_convert(const void *map, size_t map_size, size_t desc_size,
			     struct boot_mem_region *out, unsigned max, unsigned *dropped)
{
	size_t n, i;
	unsigned nr = 0;
	uint64_t base = 0;
	bool first = true;

	*dropped = 0;
	if (desc_size < sizeof(struct loader_efi_desc))
		return 0;
	n = map_size / desc_size;
	for (i = next_desc(map, n, desc_size, 0, 0, true); i < n;
	     i = next_desc(map, n, desc_size, base, i, first)) {
		struct loader_efi_desc d = read_desc(map, desc_size, i);

		first = false;
		base = d.phys_start;
		add_region(out, &nr, max, desc_region(&d), dropped);
	}
	return nr;
}
