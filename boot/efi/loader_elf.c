// SPDX-License-Identifier: MIT
/*
 * ELF64 checks for the core image (System V gABI, "ELF Header" and
 * "Program Header"; x86-64 psABI for EM_X86_64).
 *
 * Fields are read byte by byte in little-endian order, so the buffers need
 * no alignment and the code does not depend on a host <elf.h>.
 */
#include "boot/efi/loader_elf.h"

/* e_ident */
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
/* Elf64_Ehdr offsets */
#define EH_TYPE       16
#define EH_MACHINE    18
#define EH_ENTRY      24
#define EH_PHOFF      32
#define EH_PHENTSIZE  54
#define EH_PHNUM      56
#define ET_EXEC       2
#define EM_X86_64     62
/* Elf64_Phdr offsets */
#define PH_TYPE       0
#define PH_FLAGS      4
#define PH_OFFSET     8
#define PH_PADDR      24
#define PH_FILESZ     32
#define PH_MEMSZ      40
#define PT_LOAD       1
#define PF_X          1

/* 4-level paging reaches 52-bit physical addresses at most. */
#define LOADER_ELF_MAX_ADDR (1ull << 52)

static uint64_t get_le(const void *buf, size_t off, unsigned bytes)
{
	const unsigned char *b = (const unsigned char *)buf + off;
	uint64_t v = 0;

	for (unsigned i = bytes; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

static struct loader_msg elf_error(struct loader_elf *elf)
{
	struct loader_msg m;

	loader_msg_init(&m, elf->error, sizeof(elf->error));
	loader_msg_put(&m, "bad ELF: ");
	return m;
}

/* "bad ELF: <what> <value><tail>" */
static int fail_uint(struct loader_elf *elf, const char *what, uint64_t v, const char *tail)
{
	struct loader_msg m = elf_error(elf);

	loader_msg_put(&m, what);
	loader_msg_uint(&m, v);
	loader_msg_put(&m, tail);
	return -1;
}

/* "<what> 0x<start>+0x<len><tail>" */
static void put_range(struct loader_msg *m, const char *what, uint64_t start, uint64_t len,
		      const char *tail)
{
	loader_msg_put(m, what);
	loader_msg_hex(m, start);
	loader_msg_put(m, "+");
	loader_msg_hex(m, len);
	loader_msg_put(m, tail);
}

int loader_elf_check_header(struct loader_elf *elf, const void *hdr, size_t len,
			    uint64_t file_size)
{
	const unsigned char *id = hdr;
	uint64_t phsize;
	struct loader_msg m;

	for (size_t i = 0; i < sizeof(*elf); i++)
		((char *)elf)[i] = 0;
	if (len < LOADER_ELF_EHDR_SIZE || file_size < LOADER_ELF_EHDR_SIZE)
		return fail_uint(elf, "file too short (", file_size < len ? file_size : len,
				 " bytes)");
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F') {
		m = elf_error(elf);
		loader_msg_put(&m, "not an ELF file (no \\x7fELF magic)");
		return -1;
	}
	if (id[EI_CLASS] != ELFCLASS64)
		return fail_uint(elf, "class ", id[EI_CLASS], " is not ELFCLASS64 (2)");
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail_uint(elf, "data encoding ", id[EI_DATA], " is not little-endian (1)");
	if (id[EI_VERSION] != EV_CURRENT)
		return fail_uint(elf, "version ", id[EI_VERSION], " is not EV_CURRENT (1)");
	if (get_le(hdr, EH_MACHINE, 2) != EM_X86_64)
		return fail_uint(elf, "machine ", get_le(hdr, EH_MACHINE, 2),
				 " is not x86-64 (62)");
	if (get_le(hdr, EH_TYPE, 2) != ET_EXEC)
		return fail_uint(elf, "type ", get_le(hdr, EH_TYPE, 2),
				 " is not ET_EXEC (2): link the core static, non-PIE");
	if (get_le(hdr, EH_PHENTSIZE, 2) != LOADER_ELF_PHDR_SIZE)
		return fail_uint(elf, "program header size ", get_le(hdr, EH_PHENTSIZE, 2),
				 ", expected 56");
	elf->entry = get_le(hdr, EH_ENTRY, 8);
	elf->phoff = get_le(hdr, EH_PHOFF, 8);
	elf->phnum = (unsigned)get_le(hdr, EH_PHNUM, 2);
	if (elf->phnum == 0 || elf->phnum > LOADER_ELF_MAX_PHDRS)
		return fail_uint(elf, "", elf->phnum, " program headers (1 to 64 supported)");
	phsize = (uint64_t)elf->phnum * LOADER_ELF_PHDR_SIZE;
	if (elf->phoff > file_size || phsize > file_size - elf->phoff) {
		m = elf_error(elf);
		put_range(&m, "program headers at ", elf->phoff, phsize, " beyond the end of file (");
		loader_msg_uint(&m, file_size);
		loader_msg_put(&m, " bytes)");
		return -1;
	}
	return 0;
}

/* "bad ELF: segment N: " */
static struct loader_msg seg_error(struct loader_elf *elf, unsigned i)
{
	struct loader_msg m = elf_error(elf);

	loader_msg_put(&m, "segment ");
	loader_msg_uint(&m, i);
	loader_msg_put(&m, ": ");
	return m;
}

/* Checks one PT_LOAD header; fills *s. */
static int check_segment(struct loader_elf *elf, unsigned i, const void *ph,
			 uint64_t file_size, struct loader_elf_seg *s)
{
	struct loader_msg m;

	s->offset = get_le(ph, PH_OFFSET, 8);
	s->paddr = get_le(ph, PH_PADDR, 8);
	s->filesz = get_le(ph, PH_FILESZ, 8);
	s->memsz = get_le(ph, PH_MEMSZ, 8);
	s->exec = get_le(ph, PH_FLAGS, 4) & PF_X;

	if (s->filesz > s->memsz) {
		m = seg_error(elf, i);
		loader_msg_put(&m, "file size ");
		loader_msg_hex(&m, s->filesz);
		loader_msg_put(&m, " exceeds memory size ");
		loader_msg_hex(&m, s->memsz);
		return -1;
	}
	if (s->offset > file_size || s->filesz > file_size - s->offset) {
		m = seg_error(elf, i);
		put_range(&m, "file range ", s->offset, s->filesz, " beyond the end of file (");
		loader_msg_uint(&m, file_size);
		loader_msg_put(&m, " bytes)");
		return -1;
	}
	if (s->paddr >= LOADER_ELF_MAX_ADDR || s->memsz > LOADER_ELF_MAX_ADDR - s->paddr) {
		m = seg_error(elf, i);
		put_range(&m, "memory ", s->paddr, s->memsz,
			  " overflows the physical address space");
		return -1;
	}
	return 0;
}

/* Adds the pages of s to the sorted range list, merging touching ranges. */
static void add_range(struct loader_elf *elf, const struct loader_elf_seg *s)
{
	uint64_t base = s->paddr & ~(uint64_t)(LOADER_PAGE_SIZE - 1);
	uint64_t end = (s->paddr + s->memsz + LOADER_PAGE_SIZE - 1) &
		       ~(uint64_t)(LOADER_PAGE_SIZE - 1);
	bool exec = s->exec;
	unsigned i = 0, j;

	while (i < elf->nr_ranges && elf->ranges[i].end < base)
		i++;
	/* Swallow every range that overlaps or touches [base, end). */
	for (j = i; j < elf->nr_ranges && elf->ranges[j].base <= end; j++) {
		base = elf->ranges[j].base < base ? elf->ranges[j].base : base;
		end = elf->ranges[j].end > end ? elf->ranges[j].end : end;
		exec = exec || elf->ranges[j].exec;
	}
	if (j == i) { /* nothing swallowed: make room at i */
		for (unsigned k = elf->nr_ranges; k > i; k--)
			elf->ranges[k] = elf->ranges[k - 1];
		elf->nr_ranges++;
	} else { /* ranges i..j-1 become one */
		for (unsigned k = j; k < elf->nr_ranges; k++)
			elf->ranges[k - (j - i - 1)] = elf->ranges[k];
		elf->nr_ranges -= j - i - 1;
	}
	elf->ranges[i].base = base;
	elf->ranges[i].end = end;
	elf->ranges[i].exec = exec;
}

static int check_overlap(struct loader_elf *elf, unsigned idx, const struct loader_elf_seg *s,
			 const unsigned *ph_index)
{
	struct loader_msg m;

	for (unsigned k = 0; k < elf->nr_segs; k++) {
		const struct loader_elf_seg *o = &elf->segs[k];

		if (s->paddr < o->paddr + o->memsz && o->paddr < s->paddr + s->memsz) {
			m = elf_error(elf);
			loader_msg_put(&m, "segments ");
			loader_msg_uint(&m, ph_index[k]);
			loader_msg_put(&m, " and ");
			loader_msg_uint(&m, idx);
			loader_msg_put(&m, " overlap");
			return -1;
		}
	}
	return 0;
}

int loader_elf_check_phdrs(struct loader_elf *elf, const void *phdrs, size_t len,
			   uint64_t file_size)
{
	unsigned ph_index[LOADER_ELF_MAX_PHDRS];
	bool entry_ok = false;
	struct loader_msg m;

	if (len < (size_t)elf->phnum * LOADER_ELF_PHDR_SIZE)
		return fail_uint(elf, "program headers cut short (", len, " bytes)");
	for (unsigned i = 0; i < elf->phnum; i++) {
		const unsigned char *ph = (const unsigned char *)phdrs + i * LOADER_ELF_PHDR_SIZE;
		struct loader_elf_seg s;

		if (get_le(ph, PH_TYPE, 4) != PT_LOAD)
			continue;
		if (check_segment(elf, i, ph, file_size, &s))
			return -1;
		if (s.memsz == 0)
			continue;
		if (check_overlap(elf, i, &s, ph_index))
			return -1;
		ph_index[elf->nr_segs] = i;
		elf->segs[elf->nr_segs++] = s;
		add_range(elf, &s);
		if (s.exec && elf->entry >= s.paddr && elf->entry - s.paddr < s.memsz)
			entry_ok = true;
	}
	if (elf->nr_segs == 0) {
		m = elf_error(elf);
		loader_msg_put(&m, "no loadable segment");
		return -1;
	}
	if (!entry_ok) {
		m = elf_error(elf);
		loader_msg_put(&m, "entry point ");
		loader_msg_hex(&m, elf->entry);
		loader_msg_put(&m, " is not in an executable segment");
		return -1;
	}
	elf->lo = elf->segs[0].paddr;
	elf->hi = elf->segs[0].paddr + elf->segs[0].memsz;
	for (unsigned k = 1; k < elf->nr_segs; k++) {
		if (elf->segs[k].paddr < elf->lo)
			elf->lo = elf->segs[k].paddr;
		if (elf->segs[k].paddr + elf->segs[k].memsz > elf->hi)
			elf->hi = elf->segs[k].paddr + elf->segs[k].memsz;
	}
	return 0;
}
