// SPDX-License-Identifier: MIT
/* arch/x86_64/lib/cmdline.c: "key=value" lookup and number parsing. */
#include "arch/x86_64/lib/cmdline.c"
#include "tests/unit/unit.h"

static char out[64];

/* cmdline_get into out (size bytes), after poisoning it. */
static bool get(const char *cl, const char *key, size_t size)
{
	memset(out, 0x5a, sizeof(out));
	return cmdline_get(cl, key, out, size);
}

TEST(cmdline_basic)
{
	const char *cl = "console=com1 loglevel=debug quiet mem=0x1000";

	CHECK(get(cl, "console", sizeof(out)));
	CHECK_STR(out, "com1");
	CHECK(get(cl, "loglevel", sizeof(out)));
	CHECK_STR(out, "debug");
	CHECK(get(cl, "mem", sizeof(out)));
	CHECK_STR(out, "0x1000");
	CHECK(!get(cl, "missing", sizeof(out)));
	CHECK_EQ_U((unsigned char)out[0], 0x5a); /* untouched when absent */
	CHECK(!get("", "quiet", sizeof(out)));
	CHECK(!get("   \t ", "quiet", sizeof(out)));
}

TEST(cmdline_last_occurrence_wins)
{
	CHECK(get("loglevel=info x loglevel=debug y", "loglevel", sizeof(out)));
	CHECK_STR(out, "debug");
	CHECK(get("a=1 a=2 a=3", "a", sizeof(out)));
	CHECK_STR(out, "3");
	CHECK(get("a=1 a", "a", sizeof(out))); /* a later bare flag: "" */
	CHECK_STR(out, "");
	CHECK(get("a a=7", "a", sizeof(out)));
	CHECK_STR(out, "7");
}

TEST(cmdline_prefixes_do_not_match)
{
	CHECK(!get("exitx=1", "exit", sizeof(out)));
	CHECK(!get("exitx", "exit", sizeof(out)));
	CHECK(!get("xexit=1", "exit", sizeof(out)));
	CHECK(!get("exi=1 ex", "exit", sizeof(out)));
	CHECK(get("exitx=1 exit=2 exitcode=3", "exit", sizeof(out)));
	CHECK_STR(out, "2");
	CHECK(get("exit exitx=1", "exit", sizeof(out)));
	CHECK_STR(out, "");
	/* the key is matched whole, even when it is a prefix of the word */
	CHECK(!get("e", "exit", sizeof(out)));
}

TEST(cmdline_bare_flags)
{
	CHECK(get("quiet", "quiet", sizeof(out)));
	CHECK_STR(out, "");
	CHECK(get("  noapic  ", "noapic", sizeof(out)));
	CHECK_STR(out, "");
	CHECK(get("x=1 nosmp y=2", "nosmp", sizeof(out)));
	CHECK_STR(out, "");
	CHECK(get("empty=", "empty", sizeof(out)));
	CHECK_STR(out, "");
}

TEST(cmdline_values_with_equals)
{
	CHECK(get("root=LABEL=boot ro", "root", sizeof(out)));
	CHECK_STR(out, "LABEL=boot");
	CHECK(get("k==", "k", sizeof(out)));
	CHECK_STR(out, "=");
}

TEST(cmdline_tabs_separate)
{
	CHECK(get("a=1\tb=2\t\tc=3", "b", sizeof(out)));
	CHECK_STR(out, "2");
	CHECK(get("\tc=3\t", "c", sizeof(out)));
	CHECK_STR(out, "3");
	CHECK(get("a=1\t \tflag\t", "flag", sizeof(out)));
	CHECK_STR(out, "");
}

TEST(cmdline_truncation)
{
	CHECK(get("name=abcdefgh", "name", 5));
	CHECK_STR(out, "abcd");
	CHECK_EQ_U((unsigned char)out[5], 0x5a); /* nothing written past size */
	CHECK(get("name=abcdefgh", "name", 9));
	CHECK_STR(out, "abcdefgh");
	CHECK(get("name=abcdefgh", "name", 8));
	CHECK_STR(out, "abcdefg");
	CHECK(get("name=abcdefgh", "name", 1));
	CHECK_STR(out, "");
	CHECK_EQ_U((unsigned char)out[1], 0x5a);
	/* size 0: found, nothing written */
	CHECK(get("name=abcdefgh", "name", 0));
	CHECK_EQ_U((unsigned char)out[0], 0x5a);
	CHECK(cmdline_get("name=x", "name", NULL, 0));
}

TEST(cmdline_null_cmdline)
{
	CHECK(!cmdline_get(NULL, "x", out, sizeof(out)));
}

static bool num(const char *s, unsigned long long *v)
{
	*v = 0xfeedull;
	return cmdline_parse_u64(s, v);
}

TEST(cmdline_parse_decimal)
{
	unsigned long long v;

	CHECK(num("0", &v));
	CHECK_EQ_U(v, 0);
	CHECK(num("42", &v));
	CHECK_EQ_U(v, 42);
	CHECK(num("0010", &v)); /* leading zeros: still decimal */
	CHECK_EQ_U(v, 10);
	CHECK(num("18446744073709551615", &v));
	CHECK_EQ_U(v, ~0ull);
	CHECK(!num("18446744073709551616", &v));
	CHECK_EQ_U(v, 0xfeed); /* untouched on failure */
	CHECK(!num("99999999999999999999", &v));
	CHECK(!num("184467440737095516150", &v));
}

TEST(cmdline_parse_hex)
{
	unsigned long long v;

	CHECK(num("0x0", &v));
	CHECK_EQ_U(v, 0);
	CHECK(num("0x1f", &v));
	CHECK_EQ_U(v, 0x1f);
	CHECK(num("0XABCdef", &v));
	CHECK_EQ_U(v, 0xabcdef);
	CHECK(num("0xffffffffffffffff", &v));
	CHECK_EQ_U(v, ~0ull);
	CHECK(num("0x0000000000000000000001", &v));
	CHECK_EQ_U(v, 1);
	CHECK(!num("0x10000000000000000", &v));
	CHECK(!num("0x", &v));
	CHECK(!num("0X", &v));
}

TEST(cmdline_parse_junk)
{
	unsigned long long v;

	CHECK(!num("", &v));
	CHECK(!num("abc", &v));
	CHECK(!num("12a", &v));
	CHECK(!num("1f", &v));    /* hex digits need 0x */
	CHECK(!num("0xg", &v));
	CHECK(!num("0x1g", &v));
	CHECK(!num("-1", &v));
	CHECK(!num("+1", &v));
	CHECK(!num(" 1", &v));
	CHECK(!num("1 ", &v));
	CHECK(!num("1k", &v));
	CHECK(!num("0x-1", &v));
	CHECK(!num("00x1", &v));
	CHECK_EQ_U(v, 0xfeed);
}

/* The two together, as the core uses them. */
TEST(cmdline_get_then_parse)
{
	char val[32];
	unsigned long long v = 0;

	CHECK(cmdline_get("cpus=2 mem=0x40000000 cpus=4", "cpus", val, sizeof(val)));
	CHECK(cmdline_parse_u64(val, &v));
	CHECK_EQ_U(v, 4);
	CHECK(cmdline_get("cpus=2 mem=0x40000000", "mem", val, sizeof(val)));
	CHECK(cmdline_parse_u64(val, &v));
	CHECK_EQ_U(v, 0x40000000);
	CHECK(cmdline_get("debug", "debug", val, sizeof(val)));
	CHECK(!cmdline_parse_u64(val, &v));
}
