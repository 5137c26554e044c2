/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf for the core: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+'
 * ' ', width and precision (also '*'), length modifiers hh h l ll z t j.
 * Always NUL-terminates when size > 0; returns the length the full output
 * would have had (C99). No floating point. Pure: host-tested.
 */
#ifndef DRIVERS_FMT_H
#define DRIVERS_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
