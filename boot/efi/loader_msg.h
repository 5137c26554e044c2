/* SPDX-License-Identifier: MIT */
/*
 * Error-message building for the loader's pure code (loader_cfg.c,
 * loader_elf.c): no libc, no allocation, so the same code runs inside
 * BOOTX64.EFI and in the host unit tests.
 *
 * A struct loader_msg writes into a caller-owned buffer. Text that does not
 * fit is cut; the buffer is always NUL-terminated.
 */
#ifndef BOOT_EFI_LOADER_MSG_H
#define BOOT_EFI_LOADER_MSG_H

#include <stddef.h>
#include <stdint.h>

#define LOADER_ERR_LEN   160 /* one error message, NUL included */
#define LOADER_QUOTE_MAX 40  /* longest quoted excerpt of the input */

struct loader_msg {
	char *buf;
	size_t size; /* of buf, > 0 */
	size_t len;
};

static inline void loader_msg_init(struct loader_msg *m, char *buf, size_t size)
{
	m->buf = buf;
	m->size = size;
	m->len = 0;
	buf[0] = '\0';
}

static inline void loader_msg_putn(struct loader_msg *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] && m->len + 1 < m->size; i++)
		m->buf[m->len++] = s[i];
	m->buf[m->len] = '\0';
}

static inline void loader_msg_put(struct loader_msg *m, const char *s)
{
	loader_msg_putn(m, s, SIZE_MAX);
}

static inline void loader_msg_uint(struct loader_msg *m, uint64_t v)
{
	char tmp[21];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	loader_msg_put(m, &tmp[i]);
}

/* "0x" and lower-case hex digits, no leading zeros. */
static inline void loader_msg_hex(struct loader_msg *m, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[19];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	loader_msg_put(m, &tmp[i]);
}

/* 'text', cut to LOADER_QUOTE_MAX characters with "..." when longer. */
static inline void loader_msg_quote(struct loader_msg *m, const char *s, size_t n)
{
	loader_msg_put(m, "'");
	if (n > LOADER_QUOTE_MAX) {
		loader_msg_putn(m, s, LOADER_QUOTE_MAX);
		loader_msg_put(m, "...");
	} else {
		loader_msg_putn(m, s, n);
	}
	loader_msg_put(m, "'");
}

#endif
