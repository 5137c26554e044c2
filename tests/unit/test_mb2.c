// SPDX-License-Identifier: MIT
/*
 * boot/mb2.c: multiboot2 information blocks built here tag by tag, valid
 * and corrupt. Each block is parsed from an exact-size heap copy so that
 * ASan reports any read past avail.
 */
#include <stdlib.h>

#include "boot/mb2.c"
#include "tests/unit/unit.h"

#define MB_CAP 16384

struct mb {
	uint8_t buf[MB_CAP] __attribute__((aligned(8)));
	size_t len;
};

static struct mb blk;
static struct boot_info bi;

static void mb_init(struct mb *m)
{
	memset(m->buf, 0, sizeof(m->buf));
	m->len = 8; /* total_size, reserved */
}

/* Append a tag with the given payload; returns its offset. */
static size_t mb_tag(struct mb *m, uint32_t type, const void *payload, size_t plen)
{
	size_t off = m->len;
	uint32_t size = (uint32_t)(8 + plen);

	if (off + 8 + plen + 8 > MB_CAP)
		abort();
	memcpy(m->buf + off, &type, 4);
	memcpy(m->buf + off + 4, &size, 4);
	if (plen)
		memcpy(m->buf + off + 8, payload, plen);
	m->len = (off + size + 7) & ~(size_t)7;
	return off;
}

static void mb_str(struct mb *m, uint32_t type, const char *s)
{
	mb_tag(m, type, s, strlen(s) + 1);
}

static void mb_module(struct mb *m, uint32_t start, uint32_t end, const char *name)
{
	uint8_t p[512];
	size_t n = strlen(name) + 1;

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, name, n);
	mb_tag(m, MB2_TAG_MODULE, p, 8 + n);
}

struct ent {
	uint64_t base, len;
	uint32_t type;
};

/* A memory map tag with entries of entry_size bytes (>= 24, junk after). */
static void mb_mmap(struct mb *m, uint32_t entry_size, const struct ent *e, unsigned n)
{
	static uint8_t p[8 + 400 * 40];
	uint32_t version = 0;

	memcpy(p, &entry_size, 4);
	memcpy(p + 4, &version, 4);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *q = p + 8 + (size_t)i * entry_size;

		memset(q, 0xee, entry_size);
		memcpy(q, &e[i].base, 8);
		memcpy(q + 8, &e[i].len, 8);
		memcpy(q + 16, &e[i].type, 4);
		memset(q + 20, 0, 4);
	}
	mb_tag(m, MB2_TAG_MMAP, p, 8 + (size_t)n * entry_size);
}

static const struct ent one_ram[] = { { 0x100000, 0x1000000, 1 } };

/* End tag, then total_size. */
static size_t mb_end(struct mb *m)
{
	uint32_t total;

	mb_tag(m, MB2_TAG_END, NULL, 0);
	total = (uint32_t)m->len;
	memcpy(m->buf, &total, 4);
	return m->len;
}

static void set_total(struct mb *m, uint32_t total)
{
	memcpy(m->buf, &total, 4);
}

static void set_u32(struct mb *m, size_t off, uint32_t v)
{
	memcpy(m->buf + off, &v, 4);
}

/* Parse the first avail bytes of m from a heap copy of exactly that size. */
static int parse(const struct mb *m, size_t avail)
{
	void *copy = malloc(avail ? avail : 1);
	int ret;

	memcpy(copy, m->buf, avail);
	unit_last_log[0] = '\0';
	ret = mb2_parse(copy, avail, &bi);
	free(copy);
	return ret;
}

static void check_header(void)
{
	CHECK_EQ_U(bi.magic, BOOT_INFO_MAGIC);
	CHECK_EQ_U(bi.version, BOOT_INFO_VERSION);
	CHECK_EQ_U(bi.source, BOOT_SRC_MULTIBOOT2);
}

TEST(mb2_full_block)
{
	static const struct ent map[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x200000, 0, 1 },              /* zero length: dropped */
		{ 0x100000, 0x7fe00000, 1 },
		{ 0x7ff00000, 0x100000, 3 },
		{ 0x7fff0000, 0x10000, 4 },
		{ 0xfee00000, 0x1000, 7 },        /* unknown type: reserved */
		{ 0x80000000, 0x1000, 5 },
	};
	uint8_t fb[24] = { 0 };
	uint64_t fb_addr = 0xfd000000;
	uint32_t pitch = 4096, w = 1024, h = 768;
	uint8_t old_rsdp[20], new_rsdp[36], junk[5] = { 1, 2, 3, 4, 5 };
	size_t len;

	memcpy(fb, &fb_addr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 32;
	memset(old_rsdp, 0x11, sizeof(old_rsdp));
	memset(new_rsdp, 0x22, sizeof(new_rsdp));

	mb_init(&blk);
	mb_str(&blk, MB2_TAG_CMDLINE, "console=com1 loglevel=debug");
	mb_str(&blk, MB2_TAG_LOADER, "GRUB 2.06");
	mb_tag(&blk, 99, junk, sizeof(junk)); /* unknown, unaligned size */
	mb_module(&blk, 0x200000, 0x280000, "/boot/linux console=ttyS0");
	mb_module(&blk, 0x300000, 0x300000, "/boot/empty");
	mb_mmap(&blk, 24, map, 9);
	mb_tag(&blk, MB2_TAG_FRAMEBUFFER, fb, sizeof(fb));
	mb_tag(&blk, MB2_TAG_ACPI_OLD, old_rsdp, sizeof(old_rsdp));
	mb_tag(&blk, MB2_TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
	mb_tag(&blk, 21, junk, 3); /* load base address tag: ignored */
	len = mb_end(&blk);

	CHECK_EQ_I(parse(&blk, len), 0);
	check_header();
	CHECK_STR(bi.cmdline, "console=com1 loglevel=debug");
	CHECK_STR(bi.loader, "GRUB 2.06");
	CHECK_EQ_U(bi.nr_modules, 2);
	CHECK_EQ_U(bi.modules[0].base, 0x200000);
	CHECK_EQ_U(bi.modules[0].len, 0x80000);
	CHECK_STR(bi.modules[0].name, "/boot/linux console=ttyS0");
	CHECK_EQ_U(bi.modules[1].base, 0x300000);
	CHECK_EQ_U(bi.modules[1].len, 0);
	CHECK_STR(bi.modules[1].name, "/boot/empty");
	CHECK_EQ_U(bi.nr_mem, 8);
	CHECK_EQ_U(bi.mem[0].base, 0);
	CHECK_EQ_U(bi.mem[0].len, 0x9fc00);
	CHECK_EQ_U(bi.mem[0].type, BOOT_MEM_USABLE);
	CHECK_EQ_U(bi.mem[3].base, 0x100000);
	CHECK_EQ_U(bi.mem[3].len, 0x7fe00000);
	CHECK_EQ_U(bi.mem[4].type, BOOT_MEM_ACPI_RECLAIM);
	CHECK_EQ_U(bi.mem[5].type, BOOT_MEM_ACPI_NVS);
	CHECK_EQ_U(bi.mem[6].base, 0xfee00000);
	CHECK_EQ_U(bi.mem[6].type, BOOT_MEM_RESERVED);
	CHECK_EQ_U(bi.mem[7].type, BOOT_MEM_BAD);
	CHECK_EQ_U(bi.mem[7].reserved, 0);
	CHECK_EQ_U(bi.fb.base, 0xfd000000);
	CHECK_EQ_U(bi.fb.pitch, 4096);
	CHECK_EQ_U(bi.fb.width, 1024);
	CHECK_EQ_U(bi.fb.height, 768);
	CHECK_EQ_U(bi.fb.bpp, 32);
	CHECK_EQ_U(bi.rsdp_len, 36);
	CHECK(memcmp(bi.rsdp_copy, new_rsdp, 36) == 0);
	CHECK_EQ_U(bi.rsdp, 0);
}

TEST(mb2_minimal_block)
{
	size_t len;

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	check_header();
	CHECK_STR(bi.cmdline, "");
	CHECK_STR(bi.loader, "");
	CHECK_EQ_U(bi.nr_modules, 0);
	CHECK_EQ_U(bi.nr_mem, 1);
	CHECK_EQ_U(bi.fb.base, 0);
	CHECK_EQ_U(bi.rsdp_len, 0);
	/* avail may exceed total_size: only total_size bytes are read */
	CHECK_EQ_I(parse(&blk, len + 100), 0);
	/* bytes after the end tag are never looked at */
	set_total(&blk, (uint32_t)(len + 64));
	memset(blk.buf + len, 0xff, 64);
	CHECK_EQ_I(parse(&blk, len + 64), 0);
}

/* entry_size larger than 24 (newer loaders): the stride is entry_size. */
TEST(mb2_mmap_large_entries)
{
	static const struct ent map[] = {
		{ 0x1000, 0x9e000, 1 },
		{ 0x100000, 0x3ff00000, 1 },
		{ 0xfec00000, 0x1000, 2 },
	};
	size_t len;

	mb_init(&blk);
	mb_mmap(&blk, 40, map, 3);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.nr_mem, 3);
	CHECK_EQ_U(bi.mem[1].base, 0x100000);
	CHECK_EQ_U(bi.mem[1].len, 0x3ff00000);
	CHECK_EQ_U(bi.mem[2].base, 0xfec00000);
	CHECK_EQ_U(bi.mem[2].type, BOOT_MEM_RESERVED);
}

/* Two memory map tags: entries accumulate. A partial trailing entry is ignored. */
TEST(mb2_mmap_two_tags_and_partial_entry)
{
	static const struct ent a[] = { { 0x100000, 0x100000, 1 } };
	static const struct ent b[] = { { 0x400000, 0x100000, 1 } };
	size_t off, len;

	mb_init(&blk);
	mb_mmap(&blk, 24, a, 1);
	off = blk.len;
	mb_mmap(&blk, 24, b, 1);
	set_u32(&blk, off + 4, 16 + 24 + 16); /* 16 stray bytes: not an entry */
	blk.len = off + 16 + 24 + 16;
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.nr_mem, 2);
	CHECK_EQ_U(bi.mem[1].base, 0x400000);
}

TEST(mb2_rsdp_copies)
{
	uint8_t v1[20], v2[36], big[48];
	size_t len;

	memset(v1, 0x11, sizeof(v1));
	memset(v2, 0x22, sizeof(v2));
	memset(big, 0x33, sizeof(big));

	/* v1 only */
	mb_init(&blk);
	mb_tag(&blk, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.rsdp_len, 20);
	CHECK(memcmp(bi.rsdp_copy, v1, 20) == 0);

	/* v2 before v1: v2 stays */
	mb_init(&blk);
	mb_tag(&blk, MB2_TAG_ACPI_NEW, v2, sizeof(v2));
	mb_tag(&blk, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.rsdp_len, 36);
	CHECK(memcmp(bi.rsdp_copy, v2, 36) == 0);

	/* an oversized copy is clipped to the buffer */
	mb_init(&blk);
	mb_tag(&blk, MB2_TAG_ACPI_NEW, big, sizeof(big));
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.rsdp_len, 36);
	CHECK_EQ_U(bi.rsdp_copy[35], 0x33);
}

/* A framebuffer tag too short for its fields is ignored. */
TEST(mb2_short_framebuffer_ignored)
{
	uint8_t fb[16];
	size_t len;

	memset(fb, 0x44, sizeof(fb));
	mb_init(&blk);
	mb_tag(&blk, MB2_TAG_FRAMEBUFFER, fb, sizeof(fb));
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.fb.base, 0);
}

/* Strings without a NUL inside their tag stop at the tag's end. */
TEST(mb2_unterminated_strings)
{
	size_t len;

	mb_init(&blk);
	mb_tag(&blk, MB2_TAG_CMDLINE, "abcdefghij", 10);
	mb_tag(&blk, MB2_TAG_LOADER, "LDR", 3);
	mb_tag(&blk, MB2_TAG_MODULE, "\0\0\x10\0\0\0\x20\0", 8); /* no string at all */
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_STR(bi.cmdline, "abcdefghij");
	CHECK_STR(bi.loader, "LDR");
	CHECK_EQ_U(bi.nr_modules, 1);
	CHECK_EQ_U(bi.modules[0].base, 0x100000);
	CHECK_EQ_U(bi.modules[0].len, 0x100000);
	CHECK_STR(bi.modules[0].name, "");
}

TEST(mb2_long_strings_truncated)
{
	char s[700];
	size_t len;

	memset(s, 'c', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	mb_str(&blk, MB2_TAG_CMDLINE, s);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(strlen(bi.cmdline), BOOT_CMDLINE_LEN - 1);
	CHECK(unit_log_has("command line truncated to 511 bytes"));

	/* exactly BOOT_CMDLINE_LEN - 1 characters fit without a warning */
	s[BOOT_CMDLINE_LEN - 1] = '\0';
	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	mb_str(&blk, MB2_TAG_CMDLINE, s);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(strlen(bi.cmdline), BOOT_CMDLINE_LEN - 1);
	CHECK(!unit_log_has("truncated"));

	s[300] = '\0';
	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	mb_module(&blk, 0x1000, 0x2000, s);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(strlen(bi.modules[0].name), BOOT_MODNAME_LEN - 1);
	CHECK(unit_log_has("module string truncated to 255 bytes"));

	s[100] = '\0';
	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	mb_str(&blk, MB2_TAG_LOADER, s);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(strlen(bi.loader), sizeof(bi.loader) - 1);
	CHECK(unit_log_has("loader name truncated to 63 bytes"));
}

/* More entries than BOOT_MAX_MEM: the first ones are kept, with a warning. */
TEST(mb2_mmap_too_many_entries)
{
	static struct ent map[300];
	size_t len;

	for (unsigned i = 0; i < 300; i++)
		map[i] = (struct ent){ 0x100000 + (uint64_t)i * 0x2000, 0x1000, 1 + i % 2 };
	mb_init(&blk);
	mb_mmap(&blk, 24, map, 300);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.nr_mem, BOOT_MAX_MEM);
	CHECK_EQ_U(bi.mem[BOOT_MAX_MEM - 1].base, 0x100000 + (BOOT_MAX_MEM - 1) * 0x2000ull);
	CHECK(unit_log_has("more than 256 entries"));

	/* exactly BOOT_MAX_MEM: no warning */
	mb_init(&blk);
	mb_mmap(&blk, 24, map, BOOT_MAX_MEM);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.nr_mem, BOOT_MAX_MEM);
	CHECK(!unit_log_has("more than"));
}

TEST(mb2_bad_total_size)
{
	size_t len;

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);

	set_total(&blk, 8);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("mb2: information block size 8 is impossible"));
	set_total(&blk, 0);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("size 0 is impossible"));
	set_total(&blk, (uint32_t)len + 8);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("is impossible"));
	set_total(&blk, MB2_INFO_MAX + 8);
	CHECK_EQ_I(parse(&blk, MB_CAP), -EINVAL);
	CHECK(unit_log_has("is impossible"));
	set_total(&blk, 0xffffffff);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("is impossible"));
	/* fewer than 16 bytes available: not even a header and an end tag */
	set_total(&blk, 16);
	CHECK_EQ_I(parse(&blk, 12), -EINVAL);
	CHECK(unit_log_has("mb2: information block of 12 bytes is impossible"));
	CHECK_EQ_I(parse(&blk, 0), -EINVAL);
	CHECK(unit_log_has("information block of 0 bytes is impossible"));
}

TEST(mb2_tag_too_small)
{
	size_t off, len;

	for (uint32_t sz = 0; sz < 8; sz++) {
		mb_init(&blk);
		mb_mmap(&blk, 24, one_ram, 1);
		off = mb_tag(&blk, MB2_TAG_CMDLINE, "x", 1);
		len = mb_end(&blk);
		set_u32(&blk, off + 4, sz);
		CHECK_EQ_I(parse(&blk, len), -EINVAL);
		CHECK(unit_log_has("has bad size"));
	}
}

TEST(mb2_tag_past_end)
{
	size_t off, len;

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	off = mb_tag(&blk, MB2_TAG_CMDLINE, "hello", 6);
	len = mb_end(&blk);
	set_u32(&blk, off + 4, (uint32_t)(len - off + 1));
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("tag 1 at offset"));
	CHECK(unit_log_has("has bad size"));
	set_u32(&blk, off + 4, 0xfffffff8);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("has bad size"));
	/* the end tag itself claims to run past the block */
	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	set_u32(&blk, len - 4, 16);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("tag 0 at offset"));
}

TEST(mb2_no_end_tag)
{
	size_t len;

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	len = blk.len;
	set_total(&blk, (uint32_t)len);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("not terminated by an end tag"));
	/* a trailing partial tag header (4 bytes) is not an end tag either */
	set_total(&blk, (uint32_t)len + 4);
	CHECK_EQ_I(parse(&blk, len + 4), -EINVAL);
	CHECK(unit_log_has("not terminated by an end tag"));
}

TEST(mb2_missing_memory_map)
{
	static const struct ent empty[] = { { 0x100000, 0, 1 } };
	size_t len;

	mb_init(&blk);
	mb_str(&blk, MB2_TAG_CMDLINE, "quiet");
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("passed no memory map"));

	/* a memory map tag whose only entry is empty counts as none */
	mb_init(&blk);
	mb_mmap(&blk, 24, empty, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("passed no memory map"));
}

TEST(mb2_bad_mmap_entry_size)
{
	static const uint32_t sizes[] = { 0, 8, 16, 20, 28, 33 };
	size_t len;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		mb_init(&blk);
		mb_mmap(&blk, 24, one_ram, 1);
		set_u32(&blk, 8 + 8, sizes[i]);
		len = mb_end(&blk);
		CHECK_EQ_I(parse(&blk, len), -EINVAL);
		CHECK(unit_log_has("corrupt memory map tag"));
	}
}

/* Tags too short for their fixed fields, last before the block's end. */
TEST(mb2_short_fixed_tags)
{
	static const uint32_t types[] = { MB2_TAG_MMAP, MB2_TAG_MODULE };

	for (unsigned i = 0; i < 2; i++) {
		for (uint32_t plen = 0; plen < 8; plen += 4) {
			uint8_t zero[8] = { 0 };

			mb_init(&blk);
			mb_tag(&blk, types[i], zero, plen);
			blk.len = 8 + 8 + plen;
			set_total(&blk, (uint32_t)blk.len);
			CHECK_EQ_I(parse(&blk, blk.len), -EINVAL);
			CHECK(unit_log_has(types[i] == MB2_TAG_MMAP ? "corrupt memory map tag"
								     : "corrupt module tag"));
		}
	}
}

TEST(mb2_module_end_before_start)
{
	size_t len;

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	mb_module(&blk, 0x200000, 0x1fffff, "backwards");
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("corrupt module tag (start 0x200000, end 0x1fffff)"));
}

TEST(mb2_too_many_modules)
{
	size_t len;

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	for (unsigned i = 0; i < BOOT_MAX_MODULES; i++)
		mb_module(&blk, 0x1000 * i, 0x1000 * i + 0x800, "m");
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_EQ_U(bi.nr_modules, BOOT_MAX_MODULES);

	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	for (unsigned i = 0; i < BOOT_MAX_MODULES + 1; i++)
		mb_module(&blk, 0x1000 * i, 0x1000 * i + 0x800, "m");
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), -EINVAL);
	CHECK(unit_log_has("more than 32 boot modules"));
}

/* A previous parse leaves nothing behind. */
TEST(mb2_reparse_clears)
{
	size_t len;

	mb_init(&blk);
	mb_str(&blk, MB2_TAG_CMDLINE, "first");
	mb_module(&blk, 0x1000, 0x2000, "mod");
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	mb_init(&blk);
	mb_mmap(&blk, 24, one_ram, 1);
	len = mb_end(&blk);
	CHECK_EQ_I(parse(&blk, len), 0);
	CHECK_STR(bi.cmdline, "");
	CHECK_EQ_U(bi.nr_modules, 0);
	CHECK_EQ_U(bi.nr_mem, 1);
}
