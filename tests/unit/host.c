// SPDX-License-Identifier: MIT
/*
 * Host side of the unit tests: the harness, and the core services the code
 * under test links against (console output and panic).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "drivers/console.h"

#define MAX_CASES 512

static struct unit_case cases[MAX_CASES];
static int nr_cases;
static int cur_failed;
static const char *cur_name;
static const char *prog;

char unit_last_log[1024];

void unit_register(const char *name, void (*fn)(void))
{
	if (nr_cases == MAX_CASES) {
		fprintf(stderr, "unit: too many cases\n");
		exit(2);
	}
	cases[nr_cases].name = name;
	cases[nr_cases].fn = fn;
	nr_cases++;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (cur_failed++)
		return; /* one FAIL line per case */
	printf("FAIL: %s.%s: %s:%d: ", prog, cur_name, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int unit_log_has(const char *needle)
{
	return strstr(unit_last_log, needle) != NULL;
}

/* The core's console, redirected: keep the last line for assertions. */
void console_vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	char msg[sizeof(unit_last_log) - 64];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(unit_last_log, sizeof(unit_last_log), "%s%s%s", prefix ? prefix : "",
		 prefix ? ": " : "", msg);
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "  [%d] %s", level, unit_last_log);
}

void console_log(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog(level, prefix, fmt, ap);
	va_end(ap);
}

void __attribute__((noreturn)) panic(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

int main(int argc, char **argv)
{
	int failed = 0;

	(void)argc;
	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	for (int i = 0; i < nr_cases; i++) {
		cur_failed = 0;
		cur_name = cases[i].name;
		cases[i].fn();
		if (cur_failed)
			failed++;
		else
			printf("PASS: %s.%s\n", prog, cur_name);
	}
	return failed ? 1 : 0;
}
