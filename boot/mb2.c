// SPDX-License-Identifier: MIT
/*
 * Multiboot2 boot information parsing and the C side of the multiboot2
 * entry. Layout: a u32 total_size, a u32 reserved, then tags, each
 * { u32 type; u32 size; payload }, 8-byte aligned, ending with type 0.
 */
#define pr_fmt "mb2"
#include <stdbool.h>

#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "boot/boot.h"
#include "boot/mb2.h"
#include "drivers/console.h"

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_module {
	uint32_t type, size;
	uint32_t start, end;
	char string[];
};

struct mb2_mmap {
	uint32_t type, size;
	uint32_t entry_size, entry_version;
};

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};

struct mb2_fb {
	uint32_t type, size;
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, fb_type;
	uint16_t reserved;
};

_Static_assert(sizeof(struct mb2_module) == 16, "multiboot2 module tag");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 mmap entry");
_Static_assert(sizeof(struct mb2_fb) == 32, "multiboot2 framebuffer tag");

/* Copy a string from a tag payload of at most max bytes, always ending it. */
static void copy_str(char *dst, size_t dst_size, const char *src, size_t max,
		     const char *what)
{
	size_t n = strnlen(src, max);

	if (n >= dst_size) {
		pr_warn("%s truncated to %zu bytes\n", what, dst_size - 1);
		n = dst_size - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int parse_mmap(const struct mb2_mmap *t, struct boot_info *bi)
{
	/* Only the 8-byte tag header is known to be inside the block yet. */
	if (t->size < sizeof(*t)) {
		pr_err("corrupt memory map tag (size %u)\n", t->size);
		return -EINVAL;
	}
	if (t->entry_size < sizeof(struct mb2_mmap_entry) || t->entry_size % 8) {
		pr_err("corrupt memory map tag (size %u, entry size %u)\n", t->size,
		       t->entry_size);
		return -EINVAL;
	}
	for (size_t off = sizeof(*t); off + t->entry_size <= t->size; off += t->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)t + off);
		uint32_t type = e->type;

		if (bi->nr_mem == BOOT_MAX_MEM) {
			pr_warn("memory map has more than %d entries; rest ignored\n",
				BOOT_MAX_MEM);
			break;
		}
		if (!e->len)
			continue;
		if (type < BOOT_MEM_USABLE || type > BOOT_MEM_BAD)
			type = BOOT_MEM_RESERVED;
		bi->mem[bi->nr_mem++] = (struct boot_mem_region){
			.base = e->base, .len = e->len, .type = type
		};
	}
	return 0;
}

static int parse_module(const struct mb2_module *t, struct boot_info *bi)
{
	struct boot_module *m;

	if (t->size < sizeof(*t)) {
		pr_err("corrupt module tag (size %u)\n", t->size);
		return -EINVAL;
	}
	if (t->end < t->start) {
		pr_err("corrupt module tag (start %#x, end %#x)\n", t->start, t->end);
		return -EINVAL;
	}
	if (bi->nr_modules == BOOT_MAX_MODULES) {
		pr_err("more than %d boot modules\n", BOOT_MAX_MODULES);
		return -EINVAL;
	}
	m = &bi->modules[bi->nr_modules++];
	m->base = t->start;
	m->len = t->end - t->start;
	copy_str(m->name, sizeof(m->name), t->string, t->size - sizeof(*t),
		 "module string");
	return 0;
}

static void parse_rsdp(const struct mb2_tag *t, struct boot_info *bi)
{
	size_t len = t->size - sizeof(*t);

	if (len > sizeof(bi->rsdp_copy))
		len = sizeof(bi->rsdp_copy);
	/* A v2 copy (tag 15) wins over a v1 copy (tag 14). */
	if (bi->rsdp_len && t->type == MB2_TAG_ACPI_OLD)
		return;
	memcpy(bi->rsdp_copy, t + 1, len);
	bi->rsdp_len = (uint32_t)len;
}

static int parse_tag(const struct mb2_tag *t, struct boot_info *bi, bool *have_mmap)
{
	const char *payload = (const char *)(t + 1);
	size_t plen = t->size - sizeof(*t);

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		copy_str(bi->cmdline, sizeof(bi->cmdline), payload, plen, "command line");
		return 0;
	case MB2_TAG_LOADER:
		copy_str(bi->loader, sizeof(bi->loader), payload, plen, "loader name");
		return 0;
	case MB2_TAG_MODULE:
		return parse_module((const void *)t, bi);
	case MB2_TAG_MMAP:
		*have_mmap = true;
		return parse_mmap((const void *)t, bi);
	case MB2_TAG_FRAMEBUFFER:
		if (t->size >= sizeof(struct mb2_fb)) {
			const struct mb2_fb *fb = (const void *)t;

			bi->fb = (struct boot_framebuffer){ fb->addr, fb->pitch, fb->width,
							    fb->height, fb->bpp };
		}
		return 0;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(t, bi);
		return 0;
	default:
		return 0; /* tags we do not need */
	}
}

int mb2_parse(const void *info, size_t avail, struct boot_info *bi)
{
	const uint8_t *base = info;
	uint32_t total;
	size_t off = 8;
	bool have_mmap = false, ended = false;

	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->source = BOOT_SRC_MULTIBOOT2;
	if (avail < 16) {
		pr_err("information block of %zu bytes is impossible\n", avail);
		return -EINVAL;
	}
	memcpy(&total, base, sizeof(total));
	if (total < 16 || total > avail || total > MB2_INFO_MAX) {
		pr_err("information block size %u is impossible\n", total);
		return -EINVAL;
	}
	while (off + sizeof(struct mb2_tag) <= total) {
		const struct mb2_tag *t = (const void *)(base + off);
		int err;

		if (t->size < sizeof(*t) || t->size > total - off) {
			pr_err("tag %u at offset %zu has bad size %u\n", t->type, off, t->size);
			return -EINVAL;
		}
		if (t->type == MB2_TAG_END) {
			ended = true;
			break;
		}
		err = parse_tag(t, bi, &have_mmap);
		if (err)
			return err;
		off += (t->size + 7) & ~7u;
	}
	if (!ended)
		goto corrupt;
	if (!have_mmap || !bi->nr_mem) {
		pr_err("the boot loader passed no memory map\n");
		return -EINVAL;
	}
	return 0;
corrupt:
	pr_err("information block is not terminated by an end tag\n");
	return -EINVAL;
}

#ifndef HOST_TEST
static struct boot_info mb2_boot_info;

/* Called from mb2_entry.S on the boot stack, boot page tables active. */
void __attribute__((noreturn)) mb2_start(uint32_t magic, uint64_t info);
void __attribute__((noreturn)) mb2_start(uint32_t magic, uint64_t info)
{
	const void *p = (const void *)(uintptr_t)info;
	uint32_t total;

	boot_early_console();
	if (magic != MB2_BOOTLOADER_MAGIC)
		boot_fail("not started by a multiboot2 loader (magic %#x)", magic);
	if (!info || info >= (1ull << 32) - 16)
		boot_fail("multiboot2 information at impossible address %#lx",
			  (unsigned long)info);
	memcpy(&total, p, sizeof(total));
	/* An oversized total_size reaches mb2_parse, which says so. */
	if (mb2_parse(p, total <= MB2_INFO_MAX ? total : MB2_INFO_MAX, &mb2_boot_info))
		boot_fail("corrupt multiboot2 information; cannot continue");
	kernel_main(&mb2_boot_info);
}
#endif
