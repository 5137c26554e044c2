// SPDX-License-Identifier: MIT
/*
 * Loading guest images (see loader.h). Multiboot: "Multiboot Specification
 * version 0.6.96", sections 3.1 (header) and 3.3 (information).
 */
#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "drivers/console.h"
#include "vmm/gmem.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

#define MB_HEADER_MAGIC   0x1badb002u
#define MB_LOADER_MAGIC   0x2badb002u
#define MB_SEARCH         8192
#define MB_FLAG_MEM       (1u << 0)
#define MB_FLAG_CMDLINE   (1u << 2)
#define MB_FLAG_MMAP      (1u << 6)
#define MB_HDR_AOUT_KLUDGE (1u << 16)
#define ELF_MAGIC         0x464c457fu
#define ELF_CLASS32       1
#define ELF_MACHINE_386   3
#define PT_LOAD           1
#define PTE_P_W           0x3ull
#define PTE_P_W_PS        0x83ull
#define SIZE_2M           (2ull << 20)
#define LOW_RAM_END       0x9fc00ull /* the conventional 639 KiB */
#define HIGH_RAM_BASE     0x100000ull

struct elf32_ehdr {
	uint32_t magic;
	uint8_t class, data, version, abi, pad[8];
	uint16_t type, machine;
	uint32_t version2, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

struct mb_mmap_entry {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap entry");

static uint64_t ram_size(const struct vm *vm)
{
	return vm->mem[0].size; /* RAM starts at guest-physical 0 */
}

/* Copy [off, off+len) of the image to gpa: both ranges checked. */
static int place(struct vm *vm, const struct guest_image *img, uint64_t off, uint64_t len,
		 uint64_t g, const char *what)
{
	if (off > img->size || len > img->size - off) {
		vm_err(vm, "%s: beyond the end of the %zu-byte image\n", what, img->size);
		return -EINVAL;
	}
	if (gmem_write(vm, gpa(g), img->data + off, len)) {
		vm_err(vm, "%s: %#lx-%#lx does not fit in the VM's %lu MiB of RAM\n", what,
		       (unsigned long)g, (unsigned long)(g + len), (unsigned long)(ram_size(vm) >> 20));
		return -E2BIG;
	}
	return 0;
}

/* Identity map of the first 4 GiB (2 MiB pages) at LOADER_PT_GPA. */
static int build_page_tables(struct vm *vm, uint64_t *cr3)
{
	uint64_t t[512];
	uint64_t pml4 = LOADER_PT_GPA, pdpt = pml4 + 0x1000, pd = pdpt + 0x1000;

	memset(t, 0, sizeof(t));
	t[0] = pdpt | PTE_P_W;
	if (gmem_write(vm, gpa(pml4), t, sizeof(t)))
		return -E2BIG;
	for (int i = 0; i < 4; i++)
		t[i] = (pd + (uint64_t)i * 0x1000) | PTE_P_W;
	if (gmem_write(vm, gpa(pdpt), t, sizeof(t)))
		return -E2BIG;
	for (int d = 0; d < 4; d++) {
		for (int i = 0; i < 512; i++)
			t[i] = ((uint64_t)d * 512 + (uint64_t)i) * SIZE_2M | PTE_P_W_PS;
		if (gmem_write(vm, gpa(pd + (uint64_t)d * 0x1000), t, sizeof(t)))
			return -E2BIG;
	}
	*cr3 = pml4;
	return 0;
}

static int load_flat(struct vm *vm, const struct guest_image *img, struct vcpu_start *s)
{
	int err = place(vm, img, 0, img->size, img->load, "flat image");

	if (err)
		return err;
	s->mode = img->mode;
	s->rip = img->entry;
	if (img->mode == VCPU_START_REAL) {
		if (img->entry >= 0x100000) {
			vm_err(vm, "real-mode entry %#lx is above 1 MiB\n", (unsigned long)img->entry);
			return -EINVAL;
		}
		s->cs = (uint16_t)((img->entry >> 4) & 0xf000);
		s->rip = img->entry - ((uint64_t)s->cs << 4);
	}
	if (img->mode == VCPU_START_LONG64)
		return build_page_tables(vm, &s->cr3);
	return 0;
}

static const uint8_t *find_mb_header(const struct guest_image *img)
{
	for (size_t off = 0; off + 12 <= img->size && off < MB_SEARCH; off += 4) {
		uint32_t h[3];

		memcpy(h, img->data + off, sizeof(h));
		if (h[0] == MB_HEADER_MAGIC && h[0] + h[1] + h[2] == 0)
			return img->data + off;
	}
	return NULL;
}

static int write_mb_info(struct vm *vm, const char *cmdline, uint64_t *mbi_gpa)
{
	struct mb_info mbi = { 0 };
	struct mb_mmap_entry map[2] = {
		{ 20, 0, LOW_RAM_END, 1 },
		{ 20, HIGH_RAM_BASE, ram_size(vm) - HIGH_RAM_BASE, 1 },
	};
	uint64_t map_gpa = LOADER_MBI_GPA + sizeof(mbi);
	uint64_t cmd_gpa = map_gpa + sizeof(map);
	size_t cmd_len = strlen(cmdline) + 1;

	if (cmd_len > LOADER_MBI_SIZE - (cmd_gpa - LOADER_MBI_GPA)) {
		vm_err(vm, "command line too long (%zu bytes)\n", cmd_len);
		return -E2BIG;
	}
	mbi.flags = MB_FLAG_MEM | MB_FLAG_CMDLINE | MB_FLAG_MMAP;
	mbi.mem_lower = LOW_RAM_END / 1024;
	mbi.mem_upper = (uint32_t)((ram_size(vm) - HIGH_RAM_BASE) / 1024);
	mbi.cmdline = (uint32_t)cmd_gpa;
	mbi.mmap_addr = (uint32_t)map_gpa;
	mbi.mmap_length = sizeof(map);
	if (gmem_write(vm, gpa(LOADER_MBI_GPA), &mbi, sizeof(mbi)) ||
	    gmem_write(vm, gpa(map_gpa), map, sizeof(map)) ||
	    gmem_write(vm, gpa(cmd_gpa), cmdline, cmd_len))
		return -E2BIG;
	*mbi_gpa = LOADER_MBI_GPA;
	return 0;
}

static int load_elf32_segments(struct vm *vm, const struct guest_image *img,
			       const struct elf32_ehdr *eh)
{
	unsigned loaded = 0;

	if ((uint64_t)eh->phoff + (uint64_t)eh->phnum * sizeof(struct elf32_phdr) > img->size ||
	    eh->phentsize != sizeof(struct elf32_phdr)) {
		vm_err(vm, "ELF program headers lie outside the image\n");
		return -EINVAL;
	}
	for (unsigned i = 0; i < eh->phnum; i++) {
		struct elf32_phdr ph;
		int err;

		memcpy(&ph, img->data + eh->phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (ph.filesz > ph.memsz) {
			vm_err(vm, "ELF segment %u: file size above memory size\n", i);
			return -EINVAL;
		}
		/* RAM is zeroed at creation, so the BSS needs only the range check. */
		if (!gmem_map(vm, gpa(ph.paddr), ph.memsz)) {
			vm_err(vm, "ELF segment %u at %#x-%#lx does not fit in the VM's RAM\n", i,
			       ph.paddr, (unsigned long)ph.paddr + ph.memsz);
			return -E2BIG;
		}
		err = place(vm, img, ph.offset, ph.filesz, ph.paddr, "ELF segment");
		if (err)
			return err;
		loaded++;
	}
	if (!loaded) {
		vm_err(vm, "ELF image has no loadable segment\n");
		return -EINVAL;
	}
	return 0;
}

static int load_multiboot(struct vm *vm, const struct guest_image *img, struct vcpu_start *s)
{
	struct elf32_ehdr eh;
	uint32_t flags;
	uint64_t mbi;
	int err;

	if (img->size < sizeof(eh)) {
		vm_err(vm, "image too small for an ELF header\n");
		return -EINVAL;
	}
	memcpy(&eh, img->data, sizeof(eh));
	memcpy(&flags, find_mb_header(img) + 4, sizeof(flags));
	if (eh.magic != ELF_MAGIC || eh.class != ELF_CLASS32 || eh.machine != ELF_MACHINE_386) {
		vm_err(vm, "multiboot image is not an ELF32 i386 file (a.out kludge unsupported)\n");
		return -EINVAL;
	}
	if (flags & MB_HDR_AOUT_KLUDGE)
		vm_warn(vm, "multiboot address fields ignored: loading by ELF headers\n");
	err = load_elf32_segments(vm, img, &eh);
	if (!err)
		err = write_mb_info(vm, img->cmdline ? img->cmdline : "", &mbi);
	if (err)
		return err;
	s->mode = VCPU_START_PROT32;
	s->rip = eh.entry;
	s->gpr[GPR_RAX] = MB_LOADER_MAGIC;
	s->gpr[GPR_RBX] = mbi;
	return 0;
}

int loader_load(struct vm *vm, const struct guest_image *img, struct vcpu_start *start)
{
	memset(start, 0, sizeof(*start));
	if (img->format == GUEST_MULTIBOOT) {
		if (!find_mb_header(img)) {
			vm_err(vm, "no multiboot header in the first %d bytes\n", MB_SEARCH);
			return -EINVAL;
		}
		return load_multiboot(vm, img, start);
	}
	return load_flat(vm, img, start);
}
