// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the UEFI loader's pure parts, which read what anyone
 * can put on a USB stick: loader.cfg (boot/efi/loader_cfg.c), the core's ELF
 * headers (boot/efi/loader_elf.c), and the firmware memory map
 * (boot/efi/loader_mmap.c).
 *
 * Input: byte 0 picks the parser (mod 3), the rest is its input:
 *   0: loader.cfg text (an exact-size heap copy, so ASan sees overreads);
 *   1: an ELF file: header and program headers are taken from it as the
 *      loader reads them;
 *   2: byte 0 = output size - 1 (mod 8, to reach truncation), then 6-byte
 *      descriptors: type (mod 17), base page (16 bits), page count (8 bits),
 *      2 bytes unused.
 * Each result is checked against the parser's promises: strings terminated
 * and in bounds, ranges sorted and disjoint, the map complete unless
 * truncated, and above all no usable output byte where the firmware map
 * says the memory is not usable.
 *
 * Seeds: tests/fuzz/corpus/efi_loader/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/efi/loader_cfg.c"
#include "boot/efi/loader_elf.c"
#include "boot/efi/loader_mmap.c"

#define MMAP_MAX_DESCS 64
#define DESC_BYTES     6

static void *dup_n(const uint8_t *p, size_t n)
{
	void *s = malloc(n ? n : 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	return s;
}

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		__builtin_trap();
}

static void check_path(const char *p)
{
	check_str(p, LOADER_PATH_LEN);
	if (p[0] != '\\' || strchr(p, '/') || strchr(p, ' '))
		__builtin_trap();
}

static void fuzz_cfg(const uint8_t *data, size_t size)
{
	static struct loader_cfg cfg;
	char *text = dup_n(data, size);

	if (loader_cfg_parse(&cfg, text, size) == 0) {
		check_path(cfg.core);
		check_str(cfg.cmdline, sizeof(cfg.cmdline));
		if (cfg.nr_modules > BOOT_MAX_MODULES || cfg.error[0])
			__builtin_trap();
		for (unsigned i = 0; i < cfg.nr_modules; i++) {
			check_path(cfg.modules[i].path);
			check_str(cfg.modules[i].name, sizeof(cfg.modules[i].name));
			if (cfg.modules[i].name[0] != '/')
				__builtin_trap();
		}
	} else {
		check_str(cfg.error, sizeof(cfg.error));
		if (strncmp(cfg.error, "loader.cfg:", 11) != 0)
			__builtin_trap();
	}
	free(text);
}

static void check_elf(const struct loader_elf *elf, uint64_t size)
{
	int entry_ok = 0;

	for (unsigned i = 0; i < elf->nr_ranges; i++) {
		const struct loader_elf_range *r = &elf->ranges[i];

		if ((r->base | r->end) & (LOADER_PAGE_SIZE - 1) || r->base >= r->end)
			__builtin_trap();
		if (i && r->base <= elf->ranges[i - 1].end) /* sorted, not touching */
			__builtin_trap();
	}
	for (unsigned i = 0; i < elf->nr_segs; i++) {
		const struct loader_elf_seg *s = &elf->segs[i];
		unsigned k;

		if (!s->memsz || s->filesz > s->memsz || s->offset + s->filesz > size)
			__builtin_trap();
		for (k = 0; k < elf->nr_ranges; k++)
			if (s->paddr >= elf->ranges[k].base &&
			    s->paddr + s->memsz <= elf->ranges[k].end)
				break;
		if (k == elf->nr_ranges || (s->exec && !elf->ranges[k].exec))
			__builtin_trap();
		for (k = 0; k < i; k++)
			if (s->paddr < elf->segs[k].paddr + elf->segs[k].memsz &&
			    elf->segs[k].paddr < s->paddr + s->memsz)
				__builtin_trap();
		if (s->exec && elf->entry >= s->paddr && elf->entry < s->paddr + s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok || elf->lo > elf->hi)
		__builtin_trap();
}

static void fuzz_elf(const uint8_t *data, size_t size)
{
	static struct loader_elf elf;
	size_t n = size < LOADER_ELF_EHDR_SIZE ? size : LOADER_ELF_EHDR_SIZE;
	uint8_t *hdr = dup_n(data, n), *ph;
	size_t phlen;

	if (loader_elf_check_header(&elf, hdr, n, size)) {
		check_str(elf.error, sizeof(elf.error));
		free(hdr);
		return;
	}
	phlen = (size_t)elf.phnum * LOADER_ELF_PHDR_SIZE;
	if (elf.phoff + phlen > size) /* promised by the header check */
		__builtin_trap();
	ph = dup_n(data + elf.phoff, phlen);
	if (loader_elf_check_phdrs(&elf, ph, phlen, size) == 0)
		check_elf(&elf, size);
	else
		check_str(elf.error, sizeof(elf.error));
	free(ph);
	free(hdr);
}

/* No usable output byte lies in a non-usable input descriptor. */
static void check_no_usable_over_reserved(const struct loader_efi_desc *d, size_t n,
					  const struct boot_mem_region *out, unsigned nr)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t b = d[i].phys_start, e = b + (d[i].nr_pages << LOADER_EFI_PAGE_SHIFT);

		if (b == e || loader_mmap_type(d[i].type) == BOOT_MEM_USABLE)
			continue;
		for (unsigned k = 0; k < nr; k++)
			if (out[k].type == BOOT_MEM_USABLE && out[k].base < e &&
			    b < out[k].base + out[k].len)
				__builtin_trap();
	}
}

/* Every output byte lies in some input descriptor of the same class. */
static void check_covered(const struct loader_efi_desc *d, size_t n,
			  const struct boot_mem_region *r)
{
	uint64_t at = r->base, end = r->base + r->len;

	while (at < end) {
		uint64_t next = at;

		for (size_t i = 0; i < n; i++) {
			uint64_t b = d[i].phys_start, e = b + (d[i].nr_pages << LOADER_EFI_PAGE_SHIFT);

			if (b <= at && at < e && e > next &&
			    (loader_mmap_type(d[i].type) == BOOT_MEM_USABLE) ==
				    (r->type == BOOT_MEM_USABLE))
				next = e;
		}
		if (next == at)
			__builtin_trap();
		at = next;
	}
}

/* Without truncation, every input byte is in some output region. */
static void check_complete(const struct loader_efi_desc *d, size_t n,
			   const struct boot_mem_region *out, unsigned nr)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t at = d[i].phys_start, e = at + (d[i].nr_pages << LOADER_EFI_PAGE_SHIFT);

		for (unsigned k = 0; k < nr && at < e; k++)
			if (out[k].base <= at && at < out[k].base + out[k].len)
				at = out[k].base + out[k].len;
		if (at < e)
			__builtin_trap();
	}
}

static void fuzz_mmap(const uint8_t *data, size_t size)
{
	struct loader_efi_desc d[MMAP_MAX_DESCS];
	struct boot_mem_region out[8];
	unsigned max, nr, dropped;
	size_t n = 0;

	if (size < 1)
		return;
	max = (data[0] & 7) + 1;
	for (size_t at = 1; at + DESC_BYTES <= size && n < MMAP_MAX_DESCS; at += DESC_BYTES) {
		memset(&d[n], 0, sizeof(d[n]));
		d[n].type = data[at] % 17;
		d[n].phys_start = (uint64_t)(data[at + 1] | data[at + 2] << 8) << 12;
		d[n].nr_pages = data[at + 3];
		n++;
	}
	nr = loader_mmap_convert(d, n * sizeof(d[0]), sizeof(d[0]), out, max, &dropped);
	if (nr > max || (dropped && nr != max))
		__builtin_trap();
	for (unsigned k = 0; k < nr; k++) {
		if (!out[k].len || out[k].type < BOOT_MEM_USABLE || out[k].type > BOOT_MEM_BAD)
			__builtin_trap();
		if (k && out[k].base < out[k - 1].base + out[k - 1].len)
			__builtin_trap();
		if (k && out[k].base == out[k - 1].base + out[k - 1].len &&
		    out[k].type == out[k - 1].type)
			__builtin_trap();
		check_covered(d, n, &out[k]);
	}
	check_no_usable_over_reserved(d, n, out, nr);
	if (!dropped)
		check_complete(d, n, out, nr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_cfg(data + 1, size - 1);
		break;
	case 1:
		fuzz_elf(data + 1, size - 1);
		break;
	default:
		fuzz_mmap(data + 1, size - 1);
		break;
	}
	return 0;
}
