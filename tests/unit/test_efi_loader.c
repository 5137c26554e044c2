// SPDX-License-Identifier: MIT
/*
 * Host tests for the UEFI loader's pure parts: the core's ELF checks
 * (boot/efi/loader_elf.c) and the memory-map conversion
 * (boot/efi/loader_mmap.c).
 */
#include "tests/unit/unit.h"
#include "boot/efi/loader_elf.c"
#include "boot/efi/loader_mmap.c"

/* --- ELF ---------------------------------------------------------------------- */

#define FILE_SIZE 0x10000

static struct loader_elf elf;
static unsigned char ehdr[LOADER_ELF_EHDR_SIZE];
static unsigned char phdrs[LOADER_ELF_MAX_PHDRS * LOADER_ELF_PHDR_SIZE];

static void put_le(unsigned char *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A valid header: x86-64 executable, entry 0x200000, phnum headers at 64. */
static void make_ehdr(unsigned phnum)
{
	memset(ehdr, 0, sizeof(ehdr));
	memcpy(ehdr, "\x7f" "ELF", 4);
	ehdr[EI_CLASS] = ELFCLASS64;
	ehdr[EI_DATA] = ELFDATA2LSB;
	ehdr[EI_VERSION] = EV_CURRENT;
	put_le(ehdr + EH_TYPE, ET_EXEC, 2);
	put_le(ehdr + EH_MACHINE, EM_X86_64, 2);
	put_le(ehdr + EH_ENTRY, 0x200000, 8);
	put_le(ehdr + EH_PHOFF, 64, 8);
	put_le(ehdr + EH_PHENTSIZE, LOADER_ELF_PHDR_SIZE, 2);
	put_le(ehdr + EH_PHNUM, phnum, 2);
}

static void make_phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t offset,
		      uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	unsigned char *p = phdrs + i * LOADER_ELF_PHDR_SIZE;

	memset(p, 0, LOADER_ELF_PHDR_SIZE);
	put_le(p + PH_TYPE, type, 4);
	put_le(p + PH_FLAGS, flags, 4);
	put_le(p + PH_OFFSET, offset, 8);
	put_le(p + 16, paddr, 8); /* p_vaddr */
	put_le(p + PH_PADDR, paddr, 8);
	put_le(p + PH_FILESZ, filesz, 8);
	put_le(p + PH_MEMSZ, memsz, 8);
}

static int check_elf(unsigned phnum)
{
	if (loader_elf_check_header(&elf, ehdr, sizeof(ehdr), FILE_SIZE))
		return -1;
	return loader_elf_check_phdrs(&elf, phdrs, phnum * LOADER_ELF_PHDR_SIZE, FILE_SIZE);
}

#define CHECK_ELF_BAD(phnum, msg)                      \
	do {                                           \
		CHECK_EQ_I(check_elf(phnum), -1);      \
		CHECK_STR(elf.error, msg);             \
	} while (0)

/* Like the core: text r-x, rodata r--, data+bss rw- sharing no page. */
static void make_core(void)
{
	make_ehdr(4);
	make_phdr(0, PT_LOAD, 5, 0x1000, 0x200000, 0x74d6, 0x74d6);
	make_phdr(1, PT_LOAD, 4, 0x9000, 0x208000, 0x2ad8, 0x2ad8);
	make_phdr(2, PT_LOAD, 6, 0xc000, 0x20b000, 0x3000, 0x1c014);
	make_phdr(3, 0x6474e551 /* PT_GNU_STACK */, 6, 0, 0, 0, 0);
}

TEST(elf_core_like)
{
	make_core();
	CHECK_EQ_I(check_elf(4), 0);
	CHECK_EQ_U(elf.entry, 0x200000);
	CHECK_EQ_U(elf.nr_segs, 3);
	CHECK_EQ_U(elf.segs[2].filesz, 0x3000);
	CHECK_EQ_U(elf.segs[2].memsz, 0x1c014);
	CHECK(elf.segs[0].exec && !elf.segs[1].exec);
	CHECK_EQ_U(elf.lo, 0x200000);
	CHECK_EQ_U(elf.hi, 0x20b000 + 0x1c014);
	/* Touching page ranges become one allocation. */
	CHECK_EQ_U(elf.nr_ranges, 1);
	CHECK_EQ_U(elf.ranges[0].base, 0x200000);
	CHECK_EQ_U(elf.ranges[0].end, 0x228000);
	CHECK(elf.ranges[0].exec);
}

TEST(elf_ranges_sorted_and_merged)
{
	make_ehdr(5);
	/* Out of order, one far away, two sharing a page, one empty. */
	make_phdr(0, PT_LOAD, 6, 0x3000, 0x300800, 0x100, 0x100);
	make_phdr(1, PT_LOAD, 5, 0x1000, 0x200000, 0x1000, 0x1000);
	make_phdr(2, PT_LOAD, 4, 0x2000, 0x300000, 0x800, 0x800);
	make_phdr(3, PT_LOAD, 6, 0x3000, 0x8000, 0, 0x10);
	make_phdr(4, PT_LOAD, 6, 0, 0x500000, 0, 0);
	CHECK_EQ_I(check_elf(5), 0);
	CHECK_EQ_U(elf.nr_segs, 4);
	CHECK_EQ_U(elf.nr_ranges, 3);
	CHECK_EQ_U(elf.ranges[0].base, 0x8000);
	CHECK_EQ_U(elf.ranges[0].end, 0x9000);
	CHECK(!elf.ranges[0].exec);
	CHECK_EQ_U(elf.ranges[1].base, 0x200000);
	CHECK_EQ_U(elf.ranges[1].end, 0x201000);
	CHECK(elf.ranges[1].exec);
	CHECK_EQ_U(elf.ranges[2].base, 0x300000);
	CHECK_EQ_U(elf.ranges[2].end, 0x301000);
	CHECK_EQ_U(elf.lo, 0x8000);
	CHECK_EQ_U(elf.hi, 0x300900);
}

TEST(elf_range_bridging_merge)
{
	/* The third segment fills the gap between the first two: one range. */
	make_ehdr(3);
	make_phdr(0, PT_LOAD, 5, 0x1000, 0x200000, 0x1000, 0x1000);
	make_phdr(1, PT_LOAD, 6, 0x1000, 0x204000, 0x1000, 0x1000);
	make_phdr(2, PT_LOAD, 6, 0x1000, 0x201000, 0x1000, 0x3000);
	CHECK_EQ_I(check_elf(3), 0);
	CHECK_EQ_U(elf.nr_ranges, 1);
	CHECK_EQ_U(elf.ranges[0].base, 0x200000);
	CHECK_EQ_U(elf.ranges[0].end, 0x205000);
}

TEST(elf_bad_header)
{
	make_core();
	CHECK_EQ_I(loader_elf_check_header(&elf, ehdr, 10, 10), -1);
	CHECK_STR(elf.error, "bad ELF: file too short (10 bytes)");
	ehdr[0] = 'M';
	CHECK_ELF_BAD(4, "bad ELF: not an ELF file (no \\x7fELF magic)");
	make_core();
	ehdr[EI_CLASS] = 1;
	CHECK_ELF_BAD(4, "bad ELF: class 1 is not ELFCLASS64 (2)");
	make_core();
	ehdr[EI_DATA] = 2;
	CHECK_ELF_BAD(4, "bad ELF: data encoding 2 is not little-endian (1)");
	make_core();
	ehdr[EI_VERSION] = 0;
	CHECK_ELF_BAD(4, "bad ELF: version 0 is not EV_CURRENT (1)");
	make_core();
	put_le(ehdr + EH_MACHINE, 3, 2);
	CHECK_ELF_BAD(4, "bad ELF: machine 3 is not x86-64 (62)");
	make_core();
	put_le(ehdr + EH_TYPE, 3, 2);
	CHECK_ELF_BAD(4, "bad ELF: type 3 is not ET_EXEC (2): link the core static, non-PIE");
	make_core();
	put_le(ehdr + EH_PHENTSIZE, 32, 2);
	CHECK_ELF_BAD(4, "bad ELF: program header size 32, expected 56");
	make_core();
	put_le(ehdr + EH_PHNUM, 0, 2);
	CHECK_ELF_BAD(4, "bad ELF: 0 program headers (1 to 64 supported)");
	put_le(ehdr + EH_PHNUM, 65, 2);
	CHECK_ELF_BAD(4, "bad ELF: 65 program headers (1 to 64 supported)");
	make_core();
	put_le(ehdr + EH_PHOFF, FILE_SIZE - 100, 8);
	CHECK_ELF_BAD(4, "bad ELF: program headers at 0xff9c+0xe0 beyond the end of file "
			 "(65536 bytes)");
	put_le(ehdr + EH_PHOFF, UINT64_MAX - 8, 8);
	CHECK_ELF_BAD(4, "bad ELF: program headers at 0xfffffffffffffff7+0xe0 beyond the end "
			 "of file (65536 bytes)");
}

TEST(elf_bad_segments)
{
	make_core();
	make_phdr(2, PT_LOAD, 6, 0xc000, 0x20b000, 0x3000, 0x2000);
	CHECK_ELF_BAD(4, "bad ELF: segment 2: file size 0x3000 exceeds memory size 0x2000");
	make_core();
	make_phdr(1, PT_LOAD, 4, 0xf000, 0x208000, 0x2ad8, 0x2ad8);
	CHECK_ELF_BAD(4, "bad ELF: segment 1: file range 0xf000+0x2ad8 beyond the end of file "
			 "(65536 bytes)");
	make_core();
	make_phdr(1, PT_LOAD, 4, UINT64_MAX, 0x208000, 2, 2);
	CHECK_ELF_BAD(4, "bad ELF: segment 1: file range 0xffffffffffffffff+0x2 beyond the end "
			 "of file (65536 bytes)");
	make_core();
	make_phdr(2, PT_LOAD, 6, 0xc000, 0xfffffffffffff000, 0, 0x2000);
	CHECK_ELF_BAD(4, "bad ELF: segment 2: memory 0xfffffffffffff000+0x2000 overflows the "
			 "physical address space");
	make_core();
	make_phdr(2, PT_LOAD, 6, 0xc000, 0xffffffffff000, 0, 0x2000);
	CHECK_ELF_BAD(4, "bad ELF: segment 2: memory 0xffffffffff000+0x2000 overflows the "
			 "physical address space");
}

TEST(elf_overlap_entry_and_empty)
{
	make_core();
	make_phdr(1, PT_LOAD, 4, 0x9000, 0x207000, 0x2ad8, 0x2ad8);
	CHECK_ELF_BAD(4, "bad ELF: segments 0 and 1 overlap");
	make_core();
	put_le(ehdr + EH_ENTRY, 0x208000, 8); /* in the r-- segment */
	CHECK_ELF_BAD(4, "bad ELF: entry point 0x208000 is not in an executable segment");
	put_le(ehdr + EH_ENTRY, 0x2074d6, 8); /* one past the text */
	CHECK_ELF_BAD(4, "bad ELF: entry point 0x2074d6 is not in an executable segment");
	make_ehdr(1);
	make_phdr(0, 0x6474e551, 6, 0, 0, 0, 0);
	CHECK_ELF_BAD(1, "bad ELF: no loadable segment");
	make_core();
	CHECK_EQ_I(loader_elf_check_header(&elf, ehdr, sizeof(ehdr), FILE_SIZE), 0);
	CHECK_EQ_I(loader_elf_check_phdrs(&elf, phdrs, 100, FILE_SIZE), -1);
	CHECK_STR(elf.error, "bad ELF: program headers cut short (100 bytes)");
}

TEST(elf_max_phdrs)
{
	make_ehdr(LOADER_ELF_MAX_PHDRS);
	for (unsigned i = 0; i < LOADER_ELF_MAX_PHDRS; i++)
		make_phdr(i, PT_LOAD, 5, 0x1000, 0x200000 + i * 0x2000, 0x10, 0x10);
	CHECK_EQ_I(check_elf(LOADER_ELF_MAX_PHDRS), 0);
	CHECK_EQ_U(elf.nr_segs, LOADER_ELF_MAX_PHDRS);
	CHECK_EQ_U(elf.nr_ranges, LOADER_ELF_MAX_PHDRS);
	CHECK_EQ_U(elf.ranges[63].base, 0x200000 + 63 * 0x2000);
}

/* --- memory map ----------------------------------------------------------------- */

#define MAX_DESCS 600

/* Descriptors with a stride larger than the struct, as firmware uses. */
#define STRIDE 48

static unsigned char map[MAX_DESCS * STRIDE];
static unsigned nr_descs;
static struct boot_mem_region out[BOOT_MAX_MEM];
static unsigned dropped;

static void desc(uint32_t type, uint64_t base, uint64_t pages)
{
	struct loader_efi_desc d = { type, 0, base, 0, pages, 0xf };

	memset(map + nr_descs * STRIDE, 0xa5, STRIDE);
	memcpy(map + nr_descs * STRIDE, &d, sizeof(d));
	nr_descs++;
}

static unsigned convert(unsigned max)
{
	return loader_mmap_convert(map, nr_descs * STRIDE, STRIDE, out, max, &dropped);
}

#define CHECK_REGION(i, b, l, t)                   \
	do {                                       \
		CHECK_EQ_U(out[i].base, b);        \
		CHECK_EQ_U(out[i].len, l);         \
		CHECK_EQ_U(out[i].type, t);        \
	} while (0)

TEST(mmap_types)
{
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_CONVENTIONAL), BOOT_MEM_USABLE);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_LOADER_CODE), BOOT_MEM_USABLE);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_LOADER_DATA), BOOT_MEM_USABLE);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_BS_CODE), BOOT_MEM_USABLE);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_BS_DATA), BOOT_MEM_USABLE);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_ACPI_RECLAIM), BOOT_MEM_ACPI_RECLAIM);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_ACPI_NVS), BOOT_MEM_ACPI_NVS);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_UNUSABLE), BOOT_MEM_BAD);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_RESERVED), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_RT_CODE), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_RT_DATA), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_MMIO), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_MMIO_PORT), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_PAL_CODE), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_PERSISTENT), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(LOADER_EFI_UNACCEPTED), BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_type(0x70000000), BOOT_MEM_RESERVED); /* OEM */
	CHECK_STR(loader_mmap_efi_name(LOADER_EFI_ACPI_NVS), "ACPIMemoryNVS");
	CHECK_STR(loader_mmap_efi_name(LOADER_EFI_UNACCEPTED), "UnacceptedMemory");
	CHECK_STR(loader_mmap_efi_name(99), "type?");
}

/* Shaped like OVMF's map with 512 MiB (q35), as the loader saw it. */
TEST(mmap_ovmf_like)
{
	nr_descs = 0;
	desc(LOADER_EFI_BS_CODE, 0x0, 1);
	desc(LOADER_EFI_CONVENTIONAL, 0x1000, 0x9f);
	desc(LOADER_EFI_CONVENTIONAL, 0x100000, 0x100);
	desc(LOADER_EFI_LOADER_CODE, 0x200000, 0x28); /* the core */
	desc(LOADER_EFI_CONVENTIONAL, 0x228000, 0x5de);
	desc(LOADER_EFI_ACPI_NVS, 0x806000, 2);
	desc(LOADER_EFI_CONVENTIONAL, 0x808000, 8);
	desc(LOADER_EFI_ACPI_NVS, 0x810000, 0xf0);
	desc(LOADER_EFI_BS_DATA, 0x900000, 0xc00);
	desc(LOADER_EFI_RT_DATA, 0x1eaa0000, 0x102);
	desc(LOADER_EFI_ACPI_RECLAIM, 0x1f76c000, 0x12);
	desc(LOADER_EFI_MMIO, 0xffc00000, 0x400);
	CHECK_EQ_U(convert(BOOT_MAX_MEM), 9);
	CHECK_EQ_U(dropped, 0);
	CHECK_REGION(0, 0x0, 0xa0000, BOOT_MEM_USABLE);
	CHECK_REGION(1, 0x100000, 0x706000, BOOT_MEM_USABLE);
	CHECK_REGION(2, 0x806000, 0x2000, BOOT_MEM_ACPI_NVS);
	CHECK_REGION(3, 0x808000, 0x8000, BOOT_MEM_USABLE);
	CHECK_REGION(4, 0x810000, 0xf0000, BOOT_MEM_ACPI_NVS);
	CHECK_REGION(5, 0x900000, 0xc00000, BOOT_MEM_USABLE);
	CHECK_REGION(6, 0x1eaa0000, 0x102000, BOOT_MEM_RESERVED);
	CHECK_REGION(7, 0x1f76c000, 0x12000, BOOT_MEM_ACPI_RECLAIM);
	CHECK_REGION(8, 0xffc00000, 0x400000, BOOT_MEM_RESERVED);
}

TEST(mmap_unsorted_and_empty)
{
	nr_descs = 0;
	desc(LOADER_EFI_CONVENTIONAL, 0x300000, 0x100);
	desc(LOADER_EFI_RESERVED, 0x500000, 0);        /* zero pages: skipped */
	desc(LOADER_EFI_CONVENTIONAL, 0x100000, 0x100);
	desc(LOADER_EFI_BS_DATA, 0x200000, 0x100);     /* joins both neighbours */
	desc(LOADER_EFI_UNUSABLE, 0x400000, 0x10);
	CHECK_EQ_U(convert(BOOT_MAX_MEM), 2);
	CHECK_REGION(0, 0x100000, 0x300000, BOOT_MEM_USABLE);
	CHECK_REGION(1, 0x400000, 0x10000, BOOT_MEM_BAD);
}

TEST(mmap_duplicates_and_overlaps)
{
	nr_descs = 0;
	desc(LOADER_EFI_CONVENTIONAL, 0x100000, 0x10);
	desc(LOADER_EFI_CONVENTIONAL, 0x100000, 0x10);     /* duplicate */
	desc(LOADER_EFI_CONVENTIONAL, 0x108000, 0x10);     /* overlaps, same type */
	desc(LOADER_EFI_RESERVED, 0x115000, 0x2);          /* inside usable: wins */
	desc(LOADER_EFI_CONVENTIONAL, 0x200000, 0x10);
	desc(LOADER_EFI_CONVENTIONAL, 0x1ff000, 0x2);
	desc(LOADER_EFI_ACPI_NVS, 0x1ff000, 0x2);          /* same range: NVS wins */
	CHECK_EQ_U(convert(BOOT_MAX_MEM), 5);
	CHECK_REGION(0, 0x100000, 0x15000, BOOT_MEM_USABLE);
	CHECK_REGION(1, 0x115000, 0x2000, BOOT_MEM_RESERVED);
	CHECK_REGION(2, 0x117000, 0x1000, BOOT_MEM_USABLE);
	CHECK_REGION(3, 0x1ff000, 0x2000, BOOT_MEM_ACPI_NVS);
	CHECK_REGION(4, 0x201000, 0xf000, BOOT_MEM_USABLE);
}

TEST(mmap_overlap_ranks)
{
	/* Nested ranges: usable < ACPI reclaim < reserved < NVS < bad. */
	nr_descs = 0;
	desc(LOADER_EFI_UNUSABLE, 0x4000, 1);
	desc(LOADER_EFI_ACPI_NVS, 0x3000, 3);
	desc(LOADER_EFI_MMIO, 0x2000, 5);
	desc(LOADER_EFI_ACPI_RECLAIM, 0x1000, 7);
	desc(LOADER_EFI_BS_DATA, 0x0, 9);
	CHECK_EQ_U(convert(BOOT_MAX_MEM), 9);
	CHECK_REGION(0, 0x0, 0x1000, BOOT_MEM_USABLE);
	CHECK_REGION(1, 0x1000, 0x1000, BOOT_MEM_ACPI_RECLAIM);
	CHECK_REGION(2, 0x2000, 0x1000, BOOT_MEM_RESERVED);
	CHECK_REGION(3, 0x3000, 0x1000, BOOT_MEM_ACPI_NVS);
	CHECK_REGION(4, 0x4000, 0x1000, BOOT_MEM_BAD);
	CHECK_REGION(5, 0x5000, 0x1000, BOOT_MEM_ACPI_NVS);
	CHECK_REGION(6, 0x6000, 0x1000, BOOT_MEM_RESERVED);
	CHECK_REGION(7, 0x7000, 0x1000, BOOT_MEM_ACPI_RECLAIM);
	CHECK_REGION(8, 0x8000, 0x1000, BOOT_MEM_USABLE);
}

TEST(mmap_truncation_keeps_lowest)
{
	/* 300 alternating regions, highest first: 256 kept, 44 dropped. */
	nr_descs = 0;
	for (unsigned i = 300; i-- > 0;)
		desc(i % 2 ? LOADER_EFI_ACPI_NVS : LOADER_EFI_CONVENTIONAL, 0x100000 + i * 0x1000,
		     1);
	CHECK_EQ_U(convert(BOOT_MAX_MEM), BOOT_MAX_MEM);
	CHECK_EQ_U(dropped, 44);
	CHECK_REGION(0, 0x100000, 0x1000, BOOT_MEM_USABLE);
	CHECK_REGION(255, 0x100000 + 255 * 0x1000, 0x1000, BOOT_MEM_ACPI_NVS);
}

TEST(mmap_truncation_still_merges)
{
	/* Full after 2 regions, but later ones touching the last still merge. */
	nr_descs = 0;
	desc(LOADER_EFI_CONVENTIONAL, 0x0, 1);
	desc(LOADER_EFI_RESERVED, 0x1000, 1);
	desc(LOADER_EFI_RT_CODE, 0x2000, 1);
	desc(LOADER_EFI_MMIO, 0x3000, 1);
	desc(LOADER_EFI_CONVENTIONAL, 0x5000, 1);
	CHECK_EQ_U(convert(2), 2);
	CHECK_EQ_U(dropped, 1);
	CHECK_REGION(1, 0x1000, 0x3000, BOOT_MEM_RESERVED);
}

TEST(mmap_nothing_merges_over_a_dropped_region)
{
	/* Broken map: a usable descriptor at the base of a dropped reserved one. */
	nr_descs = 0;
	desc(LOADER_EFI_CONVENTIONAL, 0x0, 1);
	desc(LOADER_EFI_RESERVED, 0x1000, 1);
	desc(LOADER_EFI_CONVENTIONAL, 0x1000, 4);
	CHECK_EQ_U(convert(1), 1);
	CHECK_EQ_U(dropped, 2);
	CHECK_REGION(0, 0x0, 0x1000, BOOT_MEM_USABLE);
}

TEST(mmap_top_of_memory_and_bad_stride)
{
	nr_descs = 0;
	desc(LOADER_EFI_RESERVED, 0xfffffffffffff000, 0x10); /* clamped, no wrap */
	CHECK_EQ_U(convert(BOOT_MAX_MEM), 1);
	CHECK_REGION(0, 0xfffffffffffff000, 0xfff, BOOT_MEM_RESERVED);
	CHECK_EQ_U(loader_mmap_convert(map, 40, 24, out, BOOT_MAX_MEM, &dropped), 0);
	CHECK_EQ_U(loader_mmap_convert(map, 0, STRIDE, out, BOOT_MAX_MEM, &dropped), 0);
}
