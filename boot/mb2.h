/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 information block -> struct boot_info (multiboot2 spec,
 * "Boot information format"). Pure: host-tested and fuzzed.
 */
#ifndef BOOT_MB2_H
#define BOOT_MB2_H

#include <stddef.h>
#include <stdint.h>

#include "include/basalt/boot_info.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB2_INFO_MAX (1u << 20) /* larger blocks are rejected as corrupt */

/*
 * Parse the information block at info (avail bytes readable there) into
 * bi. Returns 0, or -EINVAL with the reason logged. Strings are truncated
 * to fit (logged); memory-map entries beyond BOOT_MAX_MEM are dropped
 * (logged); at least one memory map tag is required.
 */
int mb2_parse(const void *info, size_t avail, struct boot_info *bi);

#endif
