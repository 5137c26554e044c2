/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line: space-separated "key=value" or "flag" words.
 * Pure: host-tested.
 */
#ifndef ARCH_LIB_CMDLINE_H
#define ARCH_LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copy the value of the last "key=value" word into out (truncated to fit,
 * always terminated). A bare "key" yields "". Returns false when absent.
 */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size);
/* Parse a decimal or 0x-hex unsigned value; false on junk or overflow. */
bool cmdline_parse_u64(const char *s, unsigned long long *v);

#endif
