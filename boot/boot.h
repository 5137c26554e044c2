/* SPDX-License-Identifier: MIT */
/*
 * What the boot paths share with the core: both end in kernel_main() with
 * a complete struct boot_info the core may keep (it lives in core memory).
 */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include "include/basalt/boot_info.h"

/* The core proper (arch/x86_64/setup.c). Never returns. */
void __attribute__((noreturn)) kernel_main(struct boot_info *bi);

/* COM1 at 115200 before anything else; safe to call again. */
void boot_early_console(void);

/* Unusable boot input: say why, then stop the machine. */
void __attribute__((noreturn, format(printf, 1, 2))) boot_fail(const char *fmt, ...);

#endif
