// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the kernel command line (arch/x86_64/lib/cmdline.c).
 *
 * Input: byte 0 = key length (low 4 bits), byte 1 = output buffer size,
 * then the key, then the command line. Key and command line become
 * NUL-terminated exact-size heap copies, so ASan sees any read past the
 * NUL. The answers are compared with a straightforward reference: words
 * split on blanks, "key" or "key=value", the last one wins; numbers parsed
 * with 128-bit arithmetic.
 *
 * Seeds: tests/fuzz/corpus/cmdline/:
 *   build/fuzz/fuzz_cmdline -max_total_time=60 <new dir> tests/fuzz/corpus/cmdline
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/lib/cmdline.c"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The reference cmdline_get, for a key without blanks or '='. */
static bool ref_get(const char *cl, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	bool found = false;

	for (size_t i = 0; cl[i];) {
		size_t j = i;

		while (cl[j] && !blank(cl[j]))
			j++;
		if (j > i) {
			size_t wlen = j - i;

			if (wlen == klen && !memcmp(cl + i, key, klen)) {
				*val = cl + j, *vlen = 0, found = true;
			} else if (wlen > klen && !memcmp(cl + i, key, klen) && cl[i + klen] == '=') {
				*val = cl + i + klen + 1, *vlen = wlen - klen - 1, found = true;
			}
		}
		i = cl[j] ? j + 1 : j;
	}
	return found;
}

/* The reference cmdline_parse_u64. */
static bool ref_u64(const char *s, unsigned long long *v)
{
	unsigned __int128 r = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a') + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A') + 10;
		else
			return false;
		r = r * base + d;
		if (r > UINT64_MAX)
			return false;
	}
	*v = (unsigned long long)r;
	return true;
}

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t klen, osize, vlen = 0;
	char *key, *cl, *out;
	const char *val = NULL;
	unsigned long long v1 = 0, v2 = 0;
	bool found, ok1, ok2;

	if (size < 2)
		return 0;
	klen = data[0] & 15;
	osize = data[1];
	if (klen > size - 2)
		klen = size - 2;
	key = dup_n(data + 2, klen);
	cl = dup_n(data + 2 + klen, size - 2 - klen);
	out = malloc(osize ? osize : 1);
	if (!out)
		abort();
	memset(out, 0x5a, osize ? osize : 1);

	found = cmdline_get(cl, key, out, osize);
	if (osize && found && !memchr(out, '\0', osize))
		__builtin_trap(); /* not terminated */
	if (key[0] && !strpbrk(key, " \t=")) {
		if (found != ref_get(cl, key, &val, &vlen))
			__builtin_trap();
		if (found && osize) {
			size_t n = vlen < osize - 1 ? vlen : osize - 1;

			if (strlen(out) != n || memcmp(out, val, n) != 0)
				__builtin_trap();
		}
	}
	/* the number parser, on the value and on the whole line */
	if (found && osize) {
		ok1 = cmdline_parse_u64(out, &v1);
		ok2 = ref_u64(out, &v2);
		if (ok1 != ok2 || (ok1 && v1 != v2))
			__builtin_trap();
	}
	ok1 = cmdline_parse_u64(cl, &v1);
	ok2 = ref_u64(cl, &v2);
	if (ok1 != ok2 || (ok1 && v1 != v2))
		__builtin_trap();

	free(out);
	free(cl);
	free(key);
	return 0;
}
