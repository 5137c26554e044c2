/* SPDX-License-Identifier: MIT */
/*
 * The loaders' pure half: parse and plan from a byte buffer and the size of
 * the VM's RAM, no VM involved, so that the host unit tests and the fuzz
 * targets run it as is. vmm/loader.c applies a plan to a VM through gmem.
 *
 * Every function here takes untrusted bytes, checks every offset and size
 * against the buffer (overflow included) and fails with -EINVAL / -E2BIG
 * and a one-line reason in struct loader_diag; nothing is read out of
 * bounds whatever the input.
 *
 * References: Linux Documentation/x86/boot.rst ("The Real-Mode Kernel
 * Header", "Details of Header Fields", "64-bit Boot Protocol"); Xen
 * public/arch-x86/hvm/start_info.h and public/elfnote.h (PVH); System V
 * ABI "Program Header" and "Note Section".
 */
#ifndef VMM_LOADER_PARSE_H
#define VMM_LOADER_PARSE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/fmt.h"

/* Why a parse or plan failed: one line, no newline. */
struct loader_diag {
	char msg[160];
};

static inline __attribute__((format(printf, 2, 3))) void loader_diagf(struct loader_diag *d,
									 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

/* --- the memory map (e820 types; boot.rst "e820_table") -------------------- */

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_MAX      128 /* entries in the zero page's e820_table */

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct e820_entry) == 20, "boot_e820_entry");

/* A guest RAM region (vm->mem[]). */
struct loader_region {
	uint64_t base, size;
};

/*
 * The memory map of RAM regions ram[0..nr) sorted by address: RAM except
 * the legacy hole, which is reserved as [0x9fc00, 0xa0000) and
 * [0xe0000, 0x100000) (EBDA, BIOS area with the firmware tables), the VGA
 * window left out. Returns the number of entries written (at most max).
 */
unsigned loader_e820(const struct loader_region *ram, unsigned nr, struct e820_entry *out,
		     unsigned max);

/* --- bzImage (Linux x86 boot protocol) ------------------------------------- */

#define LINUX_MIN_VERSION  0x206
#define LINUX_ZP_SIZE      0x1000 /* struct boot_params */
#define LINUX_HDR_OFF      0x1f1  /* the setup header in the image and the zero page */
#define LINUX_HDR_LIMIT    0x290  /* the zero page's room for it */
#define LINUX_SETUP_MAX    0x7f   /* setup_sects: the setup code fits in 64 KiB */
#define LINUX_LOW_LOAD     0x100000ull

struct linux_header {
	uint16_t version;
	uint8_t loadflags, relocatable;
	uint16_t xloadflags;
	uint32_t code32_start, initrd_addr_max, kernel_alignment, cmdline_size, init_size;
	uint64_t pref_address;
	size_t hdr_end;                 /* end of the setup header in the image */
	size_t kernel_off, kernel_size; /* the protected-mode kernel in the image */
};

/* Check the header of a bzImage. 0, -EINVAL. */
int linux_parse(const uint8_t *img, size_t size, struct linux_header *h, struct loader_diag *d);

struct linux_plan {
	uint64_t load;        /* where the protected-mode kernel goes */
	uint64_t kernel_end;  /* end of everything the kernel claims (init_size) */
	uint64_t entry;       /* the 64-bit entry (load + 0x200) or code32 start */
	bool long64;
	uint64_t initrd;      /* initrd address, 0: none */
};

/*
 * Where the kernel and an initrd of initrd_size bytes go in ram_end bytes
 * of RAM (from address 0), for a command line of cmdline_len bytes
 * (without its NUL). 0, -E2BIG (does not fit) or -EINVAL.
 */
int linux_plan(const struct linux_header *h, uint64_t ram_end, size_t initrd_size,
	       size_t cmdline_len, struct linux_plan *p, struct loader_diag *d);

/*
 * Fill the zero page zp[LINUX_ZP_SIZE] for a planned kernel: the image's
 * setup header, loader fields, initrd, command line at cmdline_gpa, the
 * RSDP (protocol 2.14+) and the memory map.
 */
void linux_zero_page(uint8_t *zp, const uint8_t *img, const struct linux_header *h,
		     const struct linux_plan *p, size_t initrd_size, uint64_t cmdline_gpa,
		     uint64_t rsdp_gpa, const struct e820_entry *map, unsigned nr_map);

/* --- ELF (multiboot and PVH kernels) --------------------------------------- */

#define ELF_MAX_SEGS 16 /* loadable segments */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct elf_seg {
	uint64_t off, filesz, paddr, memsz;
};

struct elf_image {
	unsigned bits;        /* 32 or 64 */
	uint64_t entry;
	unsigned nr_segs;
	struct elf_seg segs[ELF_MAX_SEGS];
	uint64_t end;         /* highest paddr + memsz */
	bool has_pvh;
	uint32_t pvh_entry;   /* XEN_ELFNOTE_PHYS32_ENTRY */
};

/*
 * Read an ELF32 (i386) or ELF64 (x86-64) executable's PT_LOAD segments
 * (by physical address, empty ones skipped) and its PVH entry note.
 * 0, -EINVAL.
 */
int elf_parse(const uint8_t *img, size_t size, struct elf_image *e, struct loader_diag *d);

/*
 * Check the segments against ram_end bytes of RAM at 0: each inside it and
 * clear of the loaders' pages and the legacy hole, none overlapping
 * another. 0, -E2BIG, -EINVAL.
 */
int elf_check_segments(const struct elf_image *e, uint64_t ram_end, struct loader_diag *d);

/* A loaded range [base, base+size) touches the loaders' pages or the legacy hole. */
bool loader_range_reserved(uint64_t base, uint64_t size);

#endif
