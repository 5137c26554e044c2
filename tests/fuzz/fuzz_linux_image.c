// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the loaders' parsers (vmm/loader_linux.c,
 * vmm/loader_elf.c): bzImage setup header, load planning and zero page;
 * ELF program headers, PVH notes and segment checks; the memory map.
 *
 * Input: the first 8 bytes choose the VM's RAM size (1 MiB .. 4 GiB), the
 * initrd size and the command line length; the rest is the image, an
 * exact-size heap copy, so ASan reports any read past its end. Whatever
 * the input: a plan keeps the kernel and initrd inside RAM, the initrd
 * above the kernel; parsed segments lie inside the image; every message
 * is terminated.
 *
 * Seeds: tests/fuzz/corpus/linux_image/ (a crafted bzImage header, a PVH
 * ELF64, a multiboot ELF32):
 *   build/fuzz/fuzz_linux_image -max_total_time=60 <new dir> tests/fuzz/corpus/linux_image
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/fmt.c"
#include "vmm/loader_elf.c"
#include "vmm/loader_linux.c"

#define CTL 8

static void check_msg(const struct loader_diag *d)
{
	if (!memchr(d->msg, '\0', sizeof(d->msg)))
		__builtin_trap();
}

static void fuzz_linux(const uint8_t *img, size_t size, uint64_t ram, size_t initrd,
		       size_t cmdline)
{
	static uint8_t zp[LINUX_ZP_SIZE];
	struct loader_region r = { 0, ram };
	struct e820_entry map[E820_MAX];
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d = { "" };
	unsigned n;

	if (linux_parse(img, size, &h, &d)) {
		check_msg(&d);
		return;
	}
	if (h.kernel_off + h.kernel_size > size || h.hdr_end > size)
		__builtin_trap();
	if (linux_plan(&h, ram, initrd, cmdline, &p, &d)) {
		check_msg(&d);
		return;
	}
	if (p.kernel_end > ram || p.load + h.kernel_size > p.kernel_end || p.load < LINUX_LOW_LOAD)
		__builtin_trap();
	if (initrd && (p.initrd < p.kernel_end || p.initrd + initrd > ram || (p.initrd & 0xfff)))
		__builtin_trap();
	if (cmdline > h.cmdline_size)
		__builtin_trap();
	n = loader_e820(&r, 1, map, E820_MAX);
	linux_zero_page(zp, img, &h, &p, initrd, 0x9000, 0xf0000, map, n);
	if (zp[0x1e8] > E820_MAX || zp[0x210] != 0xff)
		__builtin_trap();
}

static void fuzz_elf(const uint8_t *img, size_t size, uint64_t ram)
{
	struct elf_image e;
	struct loader_diag d = { "" };

	if (elf_parse(img, size, &e, &d)) {
		check_msg(&d);
		return;
	}
	if (!e.nr_segs || e.nr_segs > ELF_MAX_SEGS || (e.has_pvh && !e.pvh_entry))
		__builtin_trap();
	for (unsigned i = 0; i < e.nr_segs; i++)
		if (e.segs[i].off > size || e.segs[i].filesz > size - e.segs[i].off ||
		    e.segs[i].filesz > e.segs[i].memsz || e.segs[i].paddr + e.segs[i].memsz > e.end)
			__builtin_trap();
	if (elf_check_segments(&e, ram, &d)) {
		check_msg(&d);
		return;
	}
	for (unsigned i = 0; i < e.nr_segs; i++)
		if (e.segs[i].paddr + e.segs[i].memsz > ram ||
		    loader_range_reserved(e.segs[i].paddr, e.segs[i].memsz))
			__builtin_trap();
}

static void fuzz_e820(const uint8_t *c)
{
	struct loader_region r[2];
	struct e820_entry m[8];
	unsigned n;

	r[0] = (struct loader_region){ 0, (uint64_t)c[0] << 16 };
	r[1] = (struct loader_region){ (uint64_t)c[1] << 24, (uint64_t)c[2] << 20 };
	n = loader_e820(r, 2, m, 8);
	for (unsigned i = 0; i < n; i++)
		if (!m[i].size || (m[i].type != E820_RAM && m[i].type != E820_RESERVED))
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ram;
	size_t initrd, cmdline;
	uint8_t *img;

	if (size < CTL)
		return 0;
	ram = ((uint64_t)data[0] + 1) << 20;        /* 1 MiB .. 256 MiB */
	if (data[1] & 0x80)
		ram <<= 4;                           /* up to 4 GiB */
	initrd = ((size_t)data[2] << 16 | (size_t)data[3] << 8) * (data[1] & 0x7f);
	cmdline = (size_t)data[4] << 8 | data[5];
	fuzz_e820(data + 5);
	/* An exact-size copy so that ASan sees reads past the image. */
	img = malloc(size - CTL ? size - CTL : 1);
	if (!img)
		return 0;
	memcpy(img, data + CTL, size - CTL);
	fuzz_linux(img, size - CTL, ram, initrd, cmdline);
	fuzz_elf(img, size - CTL, ram);
	free(img);
	return 0;
}
