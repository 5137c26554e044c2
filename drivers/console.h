/* SPDX-License-Identifier: MIT */
/*
 * The host console: leveled, prefixed log lines to every registered sink
 * (COM1 first, the framebuffer later).
 *
 * Each file that logs defines its prefix before including this header:
 *
 *   #define pr_fmt "acpi"
 *   #include "drivers/console.h"
 *   pr_info("MADT: %u CPUs\n", n);    -> "[    0.012345] acpi: MADT: 2 CPUs"
 *
 * Callable from any context, any CPU, once console_init() has run; lines
 * from different CPUs are never interleaved (one lock per line). Lines above
 * the configured level (loglevel= on the command line) are dropped.
 */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

struct console_sink {
	const char *name;
	void (*write)(const char *buf, unsigned long len);
	struct console_sink *next;
};

void console_register(struct console_sink *sink);
void console_set_level(int level);
int console_level(void);
/* Parse "err", "warn", "info", "debug" or a digit; -1 when unknown. */
int console_parse_level(const char *s);

void console_log(int level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void console_vlog(int level, const char *prefix, const char *fmt, va_list ap);
/* Raw text, no prefix or timestamp (banners, dumps continuing a line). */
void console_write(const char *buf, unsigned long len);
/* Panic path: does not wait forever for a lock a dead CPU may hold. */
void console_emergency_write(const char *buf, unsigned long len);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stop everything: print, dump, then stop the machine (see arch panic). */
void __attribute__((noreturn)) panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#ifndef pr_fmt
#define pr_fmt NULL
#endif
#define pr_err(...)   console_log(LOG_ERR, pr_fmt, __VA_ARGS__)
#define pr_warn(...)  console_log(LOG_WARN, pr_fmt, __VA_ARGS__)
#define pr_info(...)  console_log(LOG_INFO, pr_fmt, __VA_ARGS__)
#define pr_debug(...) console_log(LOG_DEBUG, pr_fmt, __VA_ARGS__)

#endif
