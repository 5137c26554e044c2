// SPDX-License-Identifier: MIT
/*
 * ELF executables for the multiboot and PVH loaders, pure half (see
 * loader_parse.h). System V ABI, "ELF Header", "Program Header" and "Note
 * Section"; the PVH entry from Xen's public/elfnote.h
 * (XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit physical entry point, in a note
 * named "Xen").
 */
#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "vmm/loader.h"
#include "vmm/loader_parse.h"

#define ELF_MAGIC        "\177ELF"
#define EI_CLASS         4
#define EI_DATA          5
#define ELFCLASS32       1
#define ELFCLASS64       2
#define ELFDATA2LSB      1
#define EM_386           3
#define EM_X86_64        62
#define PT_LOAD          1
#define PT_NOTE          4
#define EHDR32_SIZE      52
#define EHDR64_SIZE      64
#define PHDR32_SIZE      32
#define PHDR64_SIZE      56
#define NOTE_HDR_SIZE    12
#define LEGACY_HOLE      0x9fc00ull
#define HIGH_RAM_BASE    0x100000ull

static uint64_t rd(const uint8_t *p, size_t off, unsigned width)
{
	uint64_t v = 0;

	memcpy(&v, p + off, width); /* little-endian host and guest */
	return v;
}

/* One program header, widened to the ELF64 fields. */
struct phdr {
	uint32_t type;
	uint64_t off, paddr, filesz, memsz, align;
};

static void read_phdr(const uint8_t *p, unsigned bits, struct phdr *ph)
{
	ph->type = (uint32_t)rd(p, 0, 4);
	if (bits == 32) {
		ph->off = rd(p, 4, 4);
		ph->paddr = rd(p, 12, 4);
		ph->filesz = rd(p, 16, 4);
		ph->memsz = rd(p, 20, 4);
		ph->align = rd(p, 28, 4);
	} else {
		ph->off = rd(p, 8, 8);
		ph->paddr = rd(p, 24, 8);
		ph->filesz = rd(p, 32, 8);
		ph->memsz = rd(p, 40, 8);
		ph->align = rd(p, 48, 8);
	}
}

/* The PVH entry note in one PT_NOTE segment's bytes. 0 (found or not), -EINVAL. */
static int scan_notes(const uint8_t *n, uint64_t len, uint64_t align, struct elf_image *e,
		      struct loader_diag *d)
{
	uint64_t pos = 0, a = align == 8 ? 8 : 4;

	while (len - pos >= NOTE_HDR_SIZE) {
		uint64_t namesz = rd(n, pos, 4), descsz = rd(n, pos + 4, 4);
		uint32_t type = (uint32_t)rd(n, pos + 8, 4);
		uint64_t name = pos + NOTE_HDR_SIZE, desc = name + ((namesz + a - 1) & ~(a - 1));

		if (desc > len || descsz > len - desc)
			break; /* a torn note ends the list */
		pos = desc + ((descsz + a - 1) & ~(a - 1));
		if (pos > len)
			pos = len; /* the last note's padding may be cut */
		if (namesz != 4 || memcmp(n + name, "Xen", 4) || type != XEN_ELFNOTE_PHYS32_ENTRY)
			continue;
		if ((descsz != 4 && descsz != 8) || rd(n, desc, (unsigned)descsz) >> 32 ||
		    !rd(n, desc, (unsigned)descsz)) {
			loader_diagf(d, "bad PVH entry note (%lu bytes, entry %#lx)",
				     (unsigned long)descsz,
				     descsz <= 8 ? (unsigned long)rd(n, desc, (unsigned)descsz) : 0ul);
			return -EINVAL;
		}
		e->has_pvh = true;
		e->pvh_entry = (uint32_t)rd(n, desc, (unsigned)descsz);
	}
	return 0;
}

static int check_ehdr(const uint8_t *img, size_t size, struct elf_image *e, uint64_t *phoff,
		      unsigned *phnum, struct loader_diag *d)
{
	unsigned entsize, machine;

	if (size < EHDR32_SIZE || memcmp(img, ELF_MAGIC, 4) || img[EI_DATA] != ELFDATA2LSB ||
	    (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)) {
		loader_diagf(d, "not a little-endian ELF32/ELF64 file");
		return -EINVAL;
	}
	e->bits = img[EI_CLASS] == ELFCLASS32 ? 32 : 64;
	if (e->bits == 64 && size < EHDR64_SIZE) {
		loader_diagf(d, "image too small for an ELF64 header");
		return -EINVAL;
	}
	machine = (unsigned)rd(img, 18, 2);
	if (machine != (e->bits == 32 ? EM_386 : EM_X86_64)) {
		loader_diagf(d, "ELF%u machine %u is not x86", e->bits, machine);
		return -EINVAL;
	}
	e->entry = e->bits == 32 ? rd(img, 24, 4) : rd(img, 24, 8);
	*phoff = e->bits == 32 ? rd(img, 28, 4) : rd(img, 32, 8);
	entsize = (unsigned)rd(img, e->bits == 32 ? 42 : 54, 2);
	*phnum = (unsigned)rd(img, e->bits == 32 ? 44 : 56, 2);
	if (entsize != (e->bits == 32 ? PHDR32_SIZE : PHDR64_SIZE) || *phoff > size ||
	    (uint64_t)*phnum * entsize > size - *phoff) {
		loader_diagf(d, "ELF program headers lie outside the image");
		return -EINVAL;
	}
	return 0;
}

static int add_segment(struct elf_image *e, const struct phdr *ph, unsigned i, size_t size,
		       struct loader_diag *d)
{
	if (ph->filesz > ph->memsz) {
		loader_diagf(d, "ELF segment %u: file size above memory size", i);
		return -EINVAL;
	}
	if (ph->off > size || ph->filesz > size - ph->off) {
		loader_diagf(d, "ELF segment %u lies beyond the end of the %zu-byte image", i, size);
		return -EINVAL;
	}
	if (ph->paddr + ph->memsz < ph->paddr) {
		loader_diagf(d, "ELF segment %u wraps around the address space", i);
		return -EINVAL;
	}
	if (e->nr_segs == ELF_MAX_SEGS) {
		loader_diagf(d, "more than %d loadable ELF segments", ELF_MAX_SEGS);
		return -EINVAL;
	}
	e->segs[e->nr_segs++] = (struct elf_seg){ ph->off, ph->filesz, ph->paddr, ph->memsz };
	if (ph->paddr + ph->memsz > e->end)
		e->end = ph->paddr + ph->memsz;
	return 0;
}

int elf_parse(const uint8_t *img, size_t size, struct elf_image *e, struct loader_diag *d)
{
	uint64_t phoff;
	unsigned phnum, entsize;
	int err;

	memset(e, 0, sizeof(*e));
	err = check_ehdr(img, size, e, &phoff, &phnum, d);
	if (err)
		return err;
	entsize = e->bits == 32 ? PHDR32_SIZE : PHDR64_SIZE;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr ph;

		read_phdr(img + phoff + (uint64_t)i * entsize, e->bits, &ph);
		if (ph.type == PT_LOAD && ph.memsz)
			err = add_segment(e, &ph, i, size, d);
		else if (ph.type == PT_NOTE && ph.off <= size && ph.filesz <= size - ph.off)
			err = scan_notes(img + ph.off, ph.filesz, ph.align, e, d);
		if (err)
			return err;
	}
	if (!e->nr_segs) {
		loader_diagf(d, "ELF image has no loadable segment");
		return -EINVAL;
	}
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool loader_range_reserved(uint64_t base, uint64_t size)
{
	return overlaps(base, size, LOADER_PT_GPA, LOADER_AREA_END - LOADER_PT_GPA) ||
	       overlaps(base, size, LEGACY_HOLE, HIGH_RAM_BASE - LEGACY_HOLE);
}

int elf_check_segments(const struct elf_image *e, uint64_t ram_end, struct loader_diag *d)
{
	for (unsigned i = 0; i < e->nr_segs; i++) {
		const struct elf_seg *s = &e->segs[i];

		if (s->paddr > ram_end || s->memsz > ram_end - s->paddr) {
			loader_diagf(d, "ELF segment at %#lx-%#lx does not fit in the VM's %lu MiB "
				     "of RAM", (unsigned long)s->paddr,
				     (unsigned long)(s->paddr + s->memsz),
				     (unsigned long)(ram_end >> 20));
			return -E2BIG;
		}
		if (loader_range_reserved(s->paddr, s->memsz)) {
			loader_diagf(d, "ELF segment at %#lx-%#lx overlaps the loader's pages "
				     "(%#llx-%#llx) or the legacy hole (0x9fc00-0x100000)",
				     (unsigned long)s->paddr, (unsigned long)(s->paddr + s->memsz),
				     LOADER_PT_GPA, LOADER_AREA_END);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++)
			if (overlaps(s->paddr, s->memsz, e->segs[j].paddr, e->segs[j].memsz)) {
				loader_diagf(d, "ELF segments at %#lx and %#lx overlap",
					     (unsigned long)e->segs[j].paddr,
					     (unsigned long)s->paddr);
				return -EINVAL;
			}
	}
	return 0;
}
