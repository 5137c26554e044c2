/* SPDX-License-Identifier: MIT */
/*
 * A tiny host unit-test harness.
 *
 *   TEST(suite_case) { CHECK(x == 1); CHECK_EQ_U(a, b); CHECK_STR(s, "x"); }
 *
 * Each test binary includes the C files it tests (so static functions are
 * reachable), links tests/unit/host.c for the core's console and panic, and
 * runs every TEST in link order. Per case it prints exactly one line,
 * "PASS: <binary>.<case>" or "FAIL: <binary>.<case>: file:line: what", which
 * scripts/test.sh counts. The exit status is non-zero when any case failed.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

void unit_register(const char *name, void (*fn)(void));
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                      \
	static void test_##name(void);                                  \
	__attribute__((constructor)) static void reg_##name(void)       \
	{                                                               \
		unit_register(#name, test_##name);                      \
	}                                                               \
	static void test_##name(void)

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			unit_fail(__FILE__, __LINE__, "%s", #cond);     \
	} while (0)

#define CHECK_EQ_U(a, b)                                                \
	do {                                                            \
		unsigned long long a_ = (a), b_ = (b);                  \
		if (a_ != b_)                                           \
			unit_fail(__FILE__, __LINE__,                   \
				  "%s == %s (0x%llx != 0x%llx)", #a, #b,  \
				  a_, b_);                              \
	} while (0)

#define CHECK_EQ_I(a, b)                                                \
	do {                                                            \
		long long a_ = (a), b_ = (b);                           \
		if (a_ != b_)                                           \
			unit_fail(__FILE__, __LINE__,                   \
				  "%s == %s (%lld != %lld)", #a, #b, a_,  \
				  b_);                                  \
	} while (0)

#define CHECK_STR(a, b)                                                 \
	do {                                                            \
		const char *a_ = (a), *b_ = (b);                        \
		if (!a_ || strcmp(a_, b_) != 0)                         \
			unit_fail(__FILE__, __LINE__,                   \
				  "%s == \"%s\" (got \"%s\")", #a, b_,    \
				  a_ ? a_ : "(null)");                  \
	} while (0)

/* The last console line the code under test printed (see host.c). */
extern char unit_last_log[1024];
/* 1 when the last line contained needle. */
int unit_log_has(const char *needle);

#endif
