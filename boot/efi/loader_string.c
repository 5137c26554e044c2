// SPDX-License-Identifier: MIT
/*
 * The C string functions the core's manifest parser calls, for its build
 * inside BOOTX64.EFI (loader_manifest.h). gnu-efi's libefi defines memcpy
 * and memset itself (for the compiler's own calls, in the object that also
 * holds InitializeLib), so the core's arch/x86_64/lib/string.c, which
 * defines them too, cannot be linked here: this file adds the rest.
 */
#include "arch/x86_64/lib/string.h"

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
