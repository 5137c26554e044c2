// SPDX-License-Identifier: MIT
/*
 * drivers/fmt.c against the host's C99 snprintf: every supported
 * conversion, flag, width, precision and length modifier, truncation and
 * the return value.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/fmt.c"
#include "tests/unit/unit.h"

/*
 * The cases below deliberately use combinations the compiler calls
 * redundant ('0' with a precision, '#' with 'u', a NULL %s ...): C99
 * defines them, so both implementations must agree.
 */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-truncation"

/*
 * Format with both implementations into a buffer of the given size and
 * compare the stored text and the return value. A canary after the buffer
 * catches writes past size.
 */
#define SAME_N(size, ...)                                                       \
	do {                                                                    \
		char want_[300], got_[300 + 8];                                 \
		int wn_, gn_;                                                   \
		memset(want_, 0x5a, sizeof(want_));                             \
		memset(got_, 0x5a, sizeof(got_));                               \
		wn_ = snprintf(want_, (size), __VA_ARGS__);                     \
		gn_ = fmt_snprintf(got_, (size), __VA_ARGS__);                  \
		CHECK_EQ_I(gn_, wn_);                                           \
		if ((size) > 0)                                                 \
			CHECK_STR(got_, want_);                                 \
		CHECK_EQ_U((unsigned char)got_[(size)], 0x5a);                  \
	} while (0)
#define SAME(...) SAME_N(300, __VA_ARGS__)

TEST(fmt_plain)
{
	SAME("");
	SAME("hello, world");
	SAME("100%%");
	SAME("%%%%%%");
	SAME("a%cb", 'x');
}

TEST(fmt_signed)
{
	static const long long vals[] = { 0, 1, -1, 7, -7, 42, 12345, -12345,
					  INT_MAX, INT_MIN };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		int v = (int)vals[i];

		SAME("%d", v);
		SAME("%i", v);
		SAME("%5d|%-5d|%05d", v, v, v);
		SAME("%+d|% d|%+ d|% +d", v, v, v, v);
		SAME("%.0d|%.1d|%.3d|%8.3d|%-8.3d|%08.3d", v, v, v, v, v, v);
		SAME("%+08d|% 08d|%-+8d|%-08d", v, v, v, v);
		SAME("%*d|%-*d|%.*d|%*.*d", 6, v, 6, v, 4, v, 9, 5, v);
		SAME("%*d", -6, v); /* negative width: left-justify */
		SAME("%.*d", -3, v); /* negative precision: as if omitted */
		SAME("%0*d", 7, v);
	}
}

TEST(fmt_unsigned_bases)
{
	static const unsigned vals[] = { 0, 1, 7, 8, 9, 10, 15, 16, 255, 0x1234abcd, UINT_MAX };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned v = vals[i];

		SAME("%u|%x|%X|%o", v, v, v, v);
		SAME("%10u|%-10x|%010X|%10o", v, v, v, v);
		SAME("%.0u|%.0x|%.0X|%.0o", v, v, v, v);
		SAME("%.6u|%.6x|%12.6X|%-12.6o", v, v, v, v);
		SAME("%#x|%#X|%#o", v, v, v);
		SAME("%#10x|%#-10x|%#010x|%#.6x|%#12.6X", v, v, v, v, v);
		SAME("%#o|%#5o|%#05o|%#.4o|%#.0o|%#.1o", v, v, v, v, v, v);
		SAME("%#.0x|%#.0X", v, v);
	}
}

TEST(fmt_alt_hex_zero_and_nonzero)
{
	SAME("%#x", 0u);
	SAME("%#x", 1u);
	SAME("%#x", 0xdeadbeefu);
	SAME("%#lx", 0ul);
	SAME("%#lx", 0xffffffff00000000ul);
	SAME("%#08x", 0u);
	SAME("%#08x", 0xabu);
	SAME("%#.0x", 0u);
	SAME("%#o", 0u);
	SAME("%#.0o", 0u); /* C99: '#' forces a single 0 even here */
	SAME("%#.3o", 8u); /* precision already gives the leading 0 */
}

/* '+' and ' ' apply to signed conversions only. */
TEST(fmt_sign_flags_ignored_for_unsigned)
{
	SAME("%+u|% u|%+x|% X|%+o|% o", 5u, 5u, 5u, 5u, 5u, 5u);
	SAME("%+#x|% #o", 0x10u, 8u);
}

TEST(fmt_length_modifiers)
{
	SAME("%hhd|%hhu|%hhx", (signed char)-5, (unsigned char)250, (unsigned char)0xab);
	SAME("%hhd|%hhu", 300, 300); /* promoted int, converted back */
	SAME("%hd|%hu|%hx", (short)-12345, (unsigned short)54321, (unsigned short)0xbeef);
	SAME("%hd|%hu", 70000, 70000);
	SAME("%ld|%lu|%lx", LONG_MIN, ULONG_MAX, 0x123456789abcdeful);
	SAME("%lld|%llu|%llX|%llo", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ull, ULLONG_MAX);
	SAME("%lld|%lli", LLONG_MAX, -1ll);
	SAME("%zu|%zx|%zd", (size_t)-1, (size_t)0xabcdef, (ssize_t)-77);
	SAME("%td|%tx", (ptrdiff_t)-99, (ptrdiff_t)0x7fff);
	SAME("%jd|%ju|%jx", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (uintmax_t)1 << 63);
	SAME("%-20lld|%020llu|%+.15lld", -1234567890123ll, 98765432109876ull, 42ll);
}

TEST(fmt_strings_and_chars)
{
	SAME("%s", "abc");
	SAME("%s", "");
	SAME("[%10s][%-10s][%.2s][%10.2s][%-10.2s][%.0s][%.10s]", "abcdef", "abcdef",
	     "abcdef", "abcdef", "abcdef", "abcdef", "abcdef");
	SAME("[%*s][%-*s][%.*s]", 8, "xy", 8, "xy", 1, "xy");
	SAME("[%c][%5c][%-5c][%c%c%c]", 'a', 'b', 'c', 'x', 'y', 'z');
	SAME("%s=%d %s", "key", 12, "tail");
}

/* A NUL character is output and counted like any other. */
TEST(fmt_nul_char)
{
	char want[16], got[16];
	int wn, gn;

	memset(want, 0x5a, sizeof(want));
	memset(got, 0x5a, sizeof(got));
	wn = snprintf(want, sizeof(want), "a%cb|%3c|%-3c|", 0, 0, 0);
	gn = fmt_snprintf(got, sizeof(got), "a%cb|%3c|%-3c|", 0, 0, 0);
	CHECK_EQ_I(gn, wn);
	CHECK(memcmp(got, want, (size_t)wn + 1) == 0);
}

TEST(fmt_null_string)
{
	char buf[32];

	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL), 6);
	CHECK_STR(buf, "(null)");
	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), "[%8s]", (char *)NULL), 10);
	CHECK_STR(buf, "[  (null)]");
}

TEST(fmt_pointer)
{
	void *p = (void *)(uintptr_t)0xffff800012345678ull;
	void *q = (void *)(uintptr_t)0x1000;
	char buf[64];

	SAME("%p", p);
	SAME("%p|%p", q, p);
	SAME("[%20p][%-20p]", q, q);
	/* NULL: glibc says "(nil)"; the core prints the value like any other. */
	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), "%p", NULL), 3);
	CHECK_STR(buf, "0x0");
	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), "[%6p]", NULL), 8);
	CHECK_STR(buf, "[   0x0]");
}

TEST(fmt_truncation_and_return)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 8, 11, 12, 13, 40 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		SAME_N(n, "hello, world");
		SAME_N(n, "%d:%s:%#x", -123456, "string", 0xabcu);
		SAME_N(n, "%-10s|", "ab");
		SAME_N(n, "%08.3d", 7);
		SAME_N(n, "%llu", ULLONG_MAX);
		SAME_N(n, "%c%c%c%c", 'a', 'b', 'c', 'd');
	}
}

TEST(fmt_size_zero_touches_nothing)
{
	char buf[4] = { 'x', 'y', 'z', 'w' };

	CHECK_EQ_I(fmt_snprintf(NULL, 0, "%s-%d", "abc", 12345), 9);
	CHECK_EQ_I(fmt_snprintf(buf, 0, "%s", "abc"), 3);
	CHECK(buf[0] == 'x' && buf[3] == 'w');
	CHECK_EQ_I(fmt_snprintf(buf, 1, "%s", "abc"), 3);
	CHECK_EQ_U((unsigned char)buf[0], 0);
	CHECK(buf[1] == 'y');
}

/* Not C99, but defined by fmt.c: a trailing '%' prints nothing, unknown
 * conversions print themselves. Neither consumes an argument. */
TEST(fmt_odd_specs)
{
	char buf[32];
	const char *lone = "ab%";
	const char *unknown = "%y%d";

	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), lone, 0), 2);
	CHECK_STR(buf, "ab");
	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), "x%l"), 1);
	CHECK_STR(buf, "x");
	CHECK_EQ_I(fmt_snprintf(buf, sizeof(buf), unknown, 5), 3);
	CHECK_STR(buf, "%y5");
}

static int via_va(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

/* fmt_vsnprintf works on a copy: the caller's va_list stays usable. */
TEST(fmt_vsnprintf_va_list)
{
	char buf[64];

	CHECK_EQ_I(via_va(buf, sizeof(buf), "%s %d %llx", "v", -3, 0xabcull), 8);
	CHECK_STR(buf, "v -3 abc");
}
