// SPDX-License-Identifier: MIT
/*
 * Platform discovery glue: which firmware tables to believe. The parsers
 * (acpi.c, mptable.c) are pure; this file owns the result.
 */
#define pr_fmt "platform"
#include "arch/x86_64/lib/cmdline.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/machine.h"
#include "arch/x86_64/paging.h"
#include "drivers/console.h"

#define DEFAULT_LAPIC 0xfee00000ull

static struct platform platform;

const struct platform *platform_get(void)
{
	return &platform;
}

/* Firmware tables are read through the identity map, within known memory. */
static const void *fw_map(uint64_t phys, size_t len)
{
	return paging_readable(phys, len) ? (const void *)(uintptr_t)phys : NULL;
}

static int try_acpi(const struct boot_info *bi)
{
	uint64_t rsdp = bi->rsdp;

	/*
	 * multiboot2 hands over a copy of the RSDP, not its address. The copy
	 * sits in core memory, which is identity-mapped like the firmware's,
	 * so its address serves as well as the original's.
	 */
	if (bi->rsdp_len)
		rsdp = (uint64_t)(uintptr_t)bi->rsdp_copy;
	if (!rsdp)
		rsdp = acpi_find_rsdp(fw_map);
	for (unsigned i = 0; !rsdp && i < bi->nr_mem; i++)
		if (bi->mem[i].type == BOOT_MEM_ACPI_RECLAIM || bi->mem[i].type == BOOT_MEM_ACPI_NVS)
			rsdp = acpi_scan_rsdp(bi->mem[i].base, bi->mem[i].len, fw_map);
	if (!rsdp) {
		pr_info("no ACPI RSDP from the loader, the BIOS areas or ACPI memory\n");
		return -1;
	}
	return acpi_parse(&platform, rsdp, fw_map);
}

void platform_discover(const struct boot_info *bi)
{
	char v[8];
	bool no_acpi = cmdline_get(bi->cmdline, "acpi", v, sizeof(v)) && !strcmp(v, "off");

	if (no_acpi)
		pr_info("acpi=off: ignoring ACPI tables\n");
	if (!no_acpi && try_acpi(bi) == 0) {
		platform.source = PLATFORM_ACPI;
	} else {
		memset(&platform, 0, sizeof(platform));
		if (mptable_parse(&platform, fw_map) == 0) {
			platform.source = PLATFORM_MPTABLE;
		} else {
			memset(&platform, 0, sizeof(platform));
			pr_warn("no ACPI MADT and no MP table: running on the boot CPU only\n");
		}
	}
	if (!platform.lapic_addr)
		platform.lapic_addr = DEFAULT_LAPIC;
	pr_info("%s: %u CPU%s, %u IOAPIC%s, power-off %s, reset %s\n",
		platform.source == PLATFORM_ACPI	  ? "ACPI"
		: platform.source == PLATFORM_MPTABLE ? "MP table"
						      : "no firmware tables",
		platform.nr_cpus, platform.nr_cpus == 1 ? "" : "s", platform.nr_ioapics,
		platform.nr_ioapics == 1 ? "" : "s", platform.s5_valid ? "ACPI S5" : "none",
		platform.reset_valid ? "FADT register" : "0xcf9");
}
