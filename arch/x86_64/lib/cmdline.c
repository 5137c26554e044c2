// SPDX-License-Identifier: MIT
#include "arch/x86_64/lib/cmdline.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	bool found = false;
	const char *p = cmdline;

	while (p && *p) {
		const char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		end = p;
		while (*end && *end != ' ' && *end != '\t')
			end++;
		if ((size_t)(end - p) >= klen && !strncmp(p, key, klen) &&
		    (p[klen] == '=' || p + klen == end)) {
			const char *v = p + klen + (p[klen] == '=');
			size_t n = (size_t)(end - v);

			if (size) {
				n = n < size - 1 ? n : size - 1;
				memcpy(out, v, n);
				out[n] = '\0';
			}
			found = true;
		}
		p = end;
	}
	return found;
}

bool cmdline_parse_u64(const char *s, unsigned long long *v)
{
	unsigned base = 10;
	unsigned long long r = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (r > (~0ull - d) / base)
			return false;
		r = r * base + d;
	}
	*v = r;
	return true;
}
