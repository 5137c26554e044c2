// SPDX-License-Identifier: MIT
/*
 * The core side of the UEFI hand-off: efi_entry.S calls efi_handoff()
 * with the loader's struct boot_info. We check it and copy it into core
 * memory before anything can allocate (and overwrite) the loader's pages.
 */
#define pr_fmt "boot"
#include <stdarg.h>
#include <stdint.h>

#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/power.h"
#include "boot/boot.h"
#include "drivers/console.h"
#include "drivers/uart16550.h"

static struct boot_info efi_boot_info;

void boot_early_console(void)
{
	uart_early_init(UART_COM1, 115200);
}

void boot_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog(LOG_ERR, "basalt: boot failed", fmt, ap);
	va_end(ap);
	console_printf("\n");
	power_stop(POWER_STOP_FAILURE);
}

void __attribute__((noreturn)) efi_handoff(uint64_t bi_phys);
void __attribute__((noreturn)) efi_handoff(uint64_t bi_phys)
{
	const struct boot_info *src = (const void *)(uintptr_t)bi_phys;

	boot_early_console();
	if (!bi_phys || bi_phys >= (1ull << 32) - sizeof(*src))
		boot_fail("boot information at impossible address %#lx",
			  (unsigned long)bi_phys);
	if (src->magic != BOOT_INFO_MAGIC || src->version != BOOT_INFO_VERSION)
		boot_fail("boot information has wrong magic/version (%#lx/%u)",
			  (unsigned long)src->magic, src->version);
	memcpy(&efi_boot_info, src, sizeof(efi_boot_info));
	efi_boot_info.cmdline[BOOT_CMDLINE_LEN - 1] = '\0';
	efi_boot_info.loader[sizeof(efi_boot_info.loader) - 1] = '\0';
	if (efi_boot_info.nr_mem > BOOT_MAX_MEM || efi_boot_info.nr_modules > BOOT_MAX_MODULES)
		boot_fail("boot information has %u memory regions, %u modules: corrupt",
			  efi_boot_info.nr_mem, efi_boot_info.nr_modules);
	for (unsigned i = 0; i < efi_boot_info.nr_modules; i++)
		efi_boot_info.modules[i].name[BOOT_MODNAME_LEN - 1] = '\0';
	kernel_main(&efi_boot_info);
}
