// SPDX-License-Identifier: MIT
/*
 * The Linux x86 boot protocol, pure half (see loader_parse.h): check a
 * bzImage's setup header, plan where the kernel and initrd go, and fill
 * the zero page. Field offsets and rules from Documentation/x86/boot.rst,
 * "The Real-Mode Kernel Header", "Details of Header Fields", "Loading The
 * Rest of The Kernel" and "64-bit Boot Protocol"; the zero page layout
 * from "Zero Page" (Linux: bootparam.h, struct boot_params).
 */
#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "vmm/loader_parse.h"

/* Setup header fields: offsets in the image and in the zero page alike. */
#define HDR_SETUP_SECTS    0x1f1
#define HDR_SYSSIZE        0x1f4
#define HDR_BOOT_FLAG      0x1fe
#define HDR_JUMP_HI        0x201 /* second byte of the jump: the header's length */
#define HDR_HEADER         0x202
#define HDR_VERSION        0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS      0x211
#define HDR_CODE32_START   0x214
#define HDR_RAMDISK_IMAGE  0x218
#define HDR_RAMDISK_SIZE   0x21c
#define HDR_HEAP_END_PTR   0x224
#define HDR_CMD_LINE_PTR   0x228
#define HDR_INITRD_MAX     0x22c
#define HDR_KERNEL_ALIGN   0x230
#define HDR_RELOCATABLE    0x234
#define HDR_XLOADFLAGS     0x236
#define HDR_CMDLINE_SIZE   0x238
#define HDR_SETUP_DATA     0x250
#define HDR_PREF_ADDRESS   0x258
#define HDR_INIT_SIZE      0x260
#define HDR_END_206        0x23c /* through cmdline_size */
#define HDR_END_210        0x264 /* through init_size */

/* Zero page fields outside the setup header. */
#define ZP_ACPI_RSDP_ADDR  0x070
#define ZP_E820_ENTRIES    0x1e8
#define ZP_E820_TABLE      0x2d0

#define BOOT_FLAG          0xaa55
#define HDRS_MAGIC         0x53726448u /* "HdrS" */
#define LOADED_HIGH        (1u << 0)
#define CAN_USE_HEAP       (1u << 7)
#define XLF_KERNEL_64      (1u << 0)
#define LOADER_TYPE_OTHER  0xff
#define HEAP_END           0xe000u /* the usual end of the setup heap, 0x200 is its base */
#define ENTRY64_OFFSET     0x200
#define SECTOR             512u
#define SETUP_SECTS_OLD    4     /* setup_sects == 0 means 4 */
#define PAGE_MASK_4K       0xfffull

_Static_assert(ZP_E820_TABLE + E820_MAX * sizeof(struct e820_entry) <= LINUX_ZP_SIZE,
	       "e820 table inside the zero page");

static uint16_t rd16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void wr16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, sizeof(v)); }
static void wr32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, sizeof(v)); }
static void wr64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, sizeof(v)); }

static int check_magic(const uint8_t *img, size_t size, struct loader_diag *d)
{
	if (size < HDR_VERSION + 2) {
		loader_diagf(d, "image of %zu bytes is too small for a bzImage setup header", size);
		return -EINVAL;
	}
	if (rd16(img, HDR_BOOT_FLAG) != BOOT_FLAG) {
		loader_diagf(d, "no boot flag 0xaa55 at 0x1fe: not a bzImage");
		return -EINVAL;
	}
	if (rd32(img, HDR_HEADER) != HDRS_MAGIC) {
		loader_diagf(d, "no \"HdrS\" magic at 0x202: not a bzImage");
		return -EINVAL;
	}
	return 0;
}

/* The header fields (the image holds at least the 2.06 header). */
static void read_fields(const uint8_t *img, struct linux_header *h)
{
	h->loadflags = img[HDR_LOADFLAGS];
	h->code32_start = rd32(img, HDR_CODE32_START);
	h->initrd_addr_max = rd32(img, HDR_INITRD_MAX);
	h->kernel_alignment = rd32(img, HDR_KERNEL_ALIGN);
	h->relocatable = img[HDR_RELOCATABLE];
	h->xloadflags = rd16(img, HDR_XLOADFLAGS);
	h->cmdline_size = rd32(img, HDR_CMDLINE_SIZE);
	if (h->version >= 0x20a) {
		h->pref_address = rd64(img, HDR_PREF_ADDRESS);
		h->init_size = rd32(img, HDR_INIT_SIZE);
	}
	if (h->version < 0x20c) /* xloadflags came with 2.12 */
		h->xloadflags = 0;
}

int linux_parse(const uint8_t *img, size_t size, struct linux_header *h, struct loader_diag *d)
{
	unsigned sects;
	uint64_t syssize;
	int err = check_magic(img, size, d);

	if (err)
		return err;
	memset(h, 0, sizeof(*h));
	h->version = rd16(img, HDR_VERSION);
	if (h->version < LINUX_MIN_VERSION) {
		loader_diagf(d, "boot protocol %u.%02u is older than 2.06", h->version >> 8,
			     h->version & 0xff);
		return -EINVAL;
	}
	h->hdr_end = HDR_HEADER + (size_t)img[HDR_JUMP_HI];
	if (h->hdr_end < (h->version >= 0x20a ? HDR_END_210 : HDR_END_206) || h->hdr_end > size) {
		loader_diagf(d, "setup header (ends at %#zx) is truncated or too short",
			     h->hdr_end);
		return -EINVAL;
	}
	read_fields(img, h);
	sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : SETUP_SECTS_OLD;
	if (sects > LINUX_SETUP_MAX) {
		loader_diagf(d, "setup_sects %u out of range (at most %u)", sects, LINUX_SETUP_MAX);
		return -EINVAL;
	}
	h->kernel_off = (size_t)(sects + 1) * SECTOR;
	syssize = (uint64_t)rd32(img, HDR_SYSSIZE) * 16; /* 16-byte paragraphs */
	if (h->kernel_off >= size || !syssize || syssize > size - h->kernel_off) {
		loader_diagf(d, "truncated: the kernel needs %lu bytes after %zu bytes of setup, "
			     "the image has %zu", (unsigned long)syssize, h->kernel_off, size);
		return -EINVAL;
	}
	h->kernel_size = (size_t)syssize;
	if (!(h->loadflags & LOADED_HIGH)) {
		loader_diagf(d, "kernel does not load high (zImage): unsupported");
		return -EINVAL;
	}
	if (h->relocatable && (h->kernel_alignment & (h->kernel_alignment - 1))) {
		loader_diagf(d, "kernel_alignment %#x is not a power of two", h->kernel_alignment);
		return -EINVAL;
	}
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a ? (v + a - 1) & ~(a - 1) : v;
}

/*
 * The kernel decompresses itself to its run-time address: its load address
 * aligned to kernel_alignment when relocatable, never below pref_address
 * (LOAD_PHYSICAL_ADDR), and claims init_size bytes from there.
 */
static uint64_t kernel_end(const struct linux_header *h, uint64_t load)
{
	uint64_t run = h->relocatable ? align_up(load, h->kernel_alignment) : load;
	uint64_t init = h->init_size > h->kernel_size ? h->init_size : h->kernel_size;
	uint64_t end;

	if (h->version >= 0x20a && h->pref_address > run)
		run = h->pref_address;
	end = run + init;
	return end > load + h->kernel_size ? end : load + h->kernel_size;
}

static int place_initrd(const struct linux_header *h, uint64_t ram_end, size_t initrd_size,
			struct linux_plan *p, struct loader_diag *d)
{
	uint64_t top = (uint64_t)h->initrd_addr_max + 1;

	if (!initrd_size)
		return 0;
	if (top > ram_end)
		top = ram_end;
	if (initrd_size > top || ((top - initrd_size) & ~PAGE_MASK_4K) < p->kernel_end) {
		loader_diagf(d, "initrd of %zu KiB does not fit between the kernel's end at "
			     "%#lx and %#lx", initrd_size >> 10, (unsigned long)p->kernel_end,
			     (unsigned long)top);
		return -E2BIG;
	}
	p->initrd = (top - initrd_size) & ~PAGE_MASK_4K;
	return 0;
}

int linux_plan(const struct linux_header *h, uint64_t ram_end, size_t initrd_size,
	       size_t cmdline_len, struct linux_plan *p, struct loader_diag *d)
{
	uint64_t pref = h->pref_address;

	memset(p, 0, sizeof(*p));
	if (cmdline_len > h->cmdline_size || cmdline_len >= 0x1000) {
		loader_diagf(d, "command line of %zu bytes is too long (the kernel takes %u)",
			     cmdline_len, h->cmdline_size < 0xfff ? h->cmdline_size : 0xfff);
		return -E2BIG;
	}
	p->load = LINUX_LOW_LOAD;
	if (h->relocatable && h->version >= 0x20a && pref >= LINUX_LOW_LOAD &&
	    pref < (1ull << 32) && align_up(pref, h->kernel_alignment) == pref &&
	    kernel_end(h, pref) <= ram_end)
		p->load = pref;
	p->kernel_end = kernel_end(h, p->load);
	if (p->kernel_end > ram_end) {
		loader_diagf(d, "kernel needs RAM up to %lu MiB (init_size %u KiB), the VM has "
			     "%lu MiB", (unsigned long)((p->kernel_end + (1 << 20) - 1) >> 20),
			     h->init_size >> 10, (unsigned long)(ram_end >> 20));
		return -E2BIG;
	}
	p->long64 = h->xloadflags & XLF_KERNEL_64;
	if (!p->long64 && (h->code32_start < LINUX_LOW_LOAD ||
			   h->code32_start - LINUX_LOW_LOAD >= h->kernel_size)) {
		loader_diagf(d, "code32_start %#x lies outside the kernel", h->code32_start);
		return -EINVAL;
	}
	/* code32_start is 1 MiB unless a hook moved it: keep its offset. */
	p->entry = p->long64 ? p->load + ENTRY64_OFFSET
			     : p->load + (h->code32_start - LINUX_LOW_LOAD);
	return place_initrd(h, ram_end, initrd_size, p, d);
}

void linux_zero_page(uint8_t *zp, const uint8_t *img, const struct linux_header *h,
		     const struct linux_plan *p, size_t initrd_size, uint64_t cmdline_gpa,
		     uint64_t rsdp_gpa, const struct e820_entry *map, unsigned nr_map)
{
	size_t end = h->hdr_end < LINUX_HDR_LIMIT ? h->hdr_end : LINUX_HDR_LIMIT;

	memset(zp, 0, LINUX_ZP_SIZE);
	memcpy(zp + LINUX_HDR_OFF, img + LINUX_HDR_OFF, end - LINUX_HDR_OFF);
	zp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_OTHER;
	zp[HDR_LOADFLAGS] = (uint8_t)(h->loadflags | CAN_USE_HEAP);
	wr16(zp, HDR_HEAP_END_PTR, HEAP_END - 0x200);
	wr32(zp, HDR_CODE32_START, (uint32_t)(p->long64 ? p->load : p->entry));
	wr32(zp, HDR_RAMDISK_IMAGE, (uint32_t)p->initrd);
	wr32(zp, HDR_RAMDISK_SIZE, p->initrd ? (uint32_t)initrd_size : 0);
	wr32(zp, HDR_CMD_LINE_PTR, (uint32_t)cmdline_gpa);
	wr64(zp, HDR_SETUP_DATA, 0);
	if (h->version >= 0x20e)
		wr64(zp, ZP_ACPI_RSDP_ADDR, rsdp_gpa);
	if (nr_map > E820_MAX)
		nr_map = E820_MAX;
	zp[ZP_E820_ENTRIES] = (uint8_t)nr_map;
	memcpy(zp + ZP_E820_TABLE, map, nr_map * sizeof(*map));
}

/* --- the memory map -------------------------------------------------------- */

#define LOW_RAM_END   0x9fc00ull /* the conventional 639 KiB; the EBDA above */
#define VGA_BASE      0xa0000ull
#define BIOS_BASE     0xe0000ull /* BIOS area: firmware tables (RSDP at 0xf0000) */
#define HIGH_RAM_BASE 0x100000ull

static unsigned add(struct e820_entry *out, unsigned n, unsigned max, uint64_t a, uint64_t b,
		    uint32_t type)
{
	if (a >= b || n >= max)
		return n;
	out[n] = (struct e820_entry){ a, b - a, type };
	return n + 1;
}

unsigned loader_e820(const struct loader_region *ram, unsigned nr, struct e820_entry *out,
		     unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nr; i++) {
		uint64_t a = ram[i].base, b = a + ram[i].size;

		if (b < a || a >= HIGH_RAM_BASE || b <= LOW_RAM_END) {
			n = add(out, n, max, a, b < a ? ~0ull : b, E820_RAM);
			continue;
		}
		/* The region spans the legacy hole. */
		n = add(out, n, max, a, LOW_RAM_END, E820_RAM);
		n = add(out, n, max, a > LOW_RAM_END ? a : LOW_RAM_END, b < VGA_BASE ? b : VGA_BASE,
			E820_RESERVED);
		n = add(out, n, max, a > BIOS_BASE ? a : BIOS_BASE,
			b < HIGH_RAM_BASE ? b : HIGH_RAM_BASE, E820_RESERVED);
		n = add(out, n, max, HIGH_RAM_BASE, b, E820_RAM);
	}
	return n;
}
