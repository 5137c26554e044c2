/* SPDX-License-Identifier: MIT */
/* Helpers shared by the instruction decoder and emulator tests (include after vmm/insn.c). */
#ifndef TESTS_UNIT_INSN_HELPERS_H
#define TESTS_UNIT_INSN_HELPERS_H

#include <stdlib.h>
#include <string.h>

/* "48 89 03" -> bytes; returns the count. */
static size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		out[n++] = (uint8_t)strtoul(s, NULL, 16);
		s += 2;
	}
	return n;
}

/* Decode the first len bytes of b from an exact-size heap copy. */
static int decode_exact(const uint8_t *b, size_t len, enum insn_mode mode, struct insn *out)
{
	uint8_t *copy = malloc(len) /* ASan flags any byte of a 0-byte block */;
	int rc;

	memcpy(copy, b, len);
	rc = insn_decode(copy, len, mode, out);
	free(copy);
	return rc;
}

#endif
