// SPDX-License-Identifier: MIT
/*
 * The core services every fuzz target links against: a console that
 * formats each line and throws it away, and a panic that aborts, so
 * libFuzzer records the input as a crash. All weak: a target that needs
 * its own (fuzz_acpi.c) simply defines them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "drivers/console.h"

/*
 * Format the line anyway: arguments the format does not match, or that
 * were read out of bounds to be printed, then show up under ASan/UBSan.
 */
__attribute__((weak)) void console_vlog(int level, const char *prefix, const char *fmt,
					va_list ap)
{
	char line[512];

	(void)level, (void)prefix;
	vsnprintf(line, sizeof(line), fmt, ap);
}

__attribute__((weak)) void console_log(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog(level, prefix, fmt, ap);
	va_end(ap);
}

__attribute__((weak)) void console_printf(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
}

__attribute__((weak)) void console_write(const char *buf, unsigned long len)
{
	(void)buf, (void)len;
}

__attribute__((weak)) void console_emergency_write(const char *buf, unsigned long len)
{
	(void)buf, (void)len;
}

__attribute__((weak, noreturn)) void panic(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
