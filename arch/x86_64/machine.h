/* SPDX-License-Identifier: MIT */
/*
 * Facts about the host machine discovered once at boot (arch/x86_64/setup.c),
 * read-only afterwards.
 */
#ifndef ARCH_MACHINE_H
#define ARCH_MACHINE_H

#include "arch/x86_64/platform.h"
#include "include/basalt/boot_info.h"

/* The firmware tables' view of the machine (zeroed until parsed). */
const struct platform *platform_get(void);
/* The boot information, copied into core memory. */
const struct boot_info *boot_info_get(void);

/*
 * Fill the platform description from ACPI (the loader's RSDP, or a BIOS
 * scan), else the MP table, else assume one CPU. Boot CPU, once.
 */
void platform_discover(const struct boot_info *bi);

#endif
