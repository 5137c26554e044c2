// SPDX-License-Identifier: MIT
/*
 * 4-level x86-64 paging (SDM Vol. 3A, "4-Level Paging and 5-Level
 * Paging"). Entry layout used here:
 *
 *   63  62:52  51:12            8  7   6  5  4   3   2  1  0
 *   NX  ign    physical addr    G  PS  D  A  PCD PWT U  W  P
 *
 * The identity map uses 2 MiB pages; ranges that need finer permissions
 * (the core image, page 0, the AP trampoline) are split into 4 KiB pages.
 */
#define pr_fmt "paging"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/pmm.h"
#include "drivers/console.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define ENTRIES  512
#define SIZE_2M  (1ull << 21)
#define SIZE_1G  (1ull << 30)
#define LOW_4G   (1ull << 32)
#define CPUID_EXT_FEAT 0x80000001
#define FEAT_NX  (1u << 20)

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

static uint64_t *root;
static uint64_t nx; /* PTE_NX when the CPU has it, else 0 */
static uint64_t mapped_top;

static unsigned idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & (ENTRIES - 1);
}

static uint64_t *table_alloc(void)
{
	/* Below 4 GiB: APs load CR3 while still in 32-bit mode. */
	uint64_t pa = pmm_alloc(1, PAGE_SIZE, LOW_MEM_END, LOW_4G);

	if (!pa)
		panic("paging: out of memory for page tables");
	memset((void *)pa, 0, PAGE_SIZE);
	return (uint64_t *)pa;
}

/* The table at level-1 below entry e, created (or split) as needed. */
static uint64_t *descend(uint64_t *e, int level)
{
	uint64_t *t;

	if (*e & PTE_P && !(*e & PTE_PS))
		return (uint64_t *)(*e & PTE_ADDR);
	t = table_alloc();
	if (*e & PTE_P) { /* split a large page into 512 smaller ones */
		uint64_t step = 1ull << (12 + 9 * (level - 1));
		uint64_t flags = *e & ~PTE_ADDR & ~(level == 1 ? PTE_PS : 0);

		for (int i = 0; i < ENTRIES; i++)
			t[i] = ((*e & PTE_ADDR) + i * step) | flags;
	}
	*e = (uint64_t)t | PTE_P | PTE_W;
	return t;
}

static void map_2m(uint64_t va)
{
	uint64_t *pdpt = descend(&root[idx(va, 3)], 3);
	uint64_t *pd = descend(&pdpt[idx(va, 2)], 2);

	pd[idx(va, 1)] = va | PTE_P | PTE_W | PTE_PS | nx;
}

static uint64_t perm_bits(enum page_perm perm)
{
	switch (perm) {
	case PAGE_RO: return PTE_P | nx;
	case PAGE_RW: return PTE_P | PTE_W | nx;
	case PAGE_RX: return PTE_P;
	default: return 0;
	}
}

int paging_protect(uint64_t va, uint64_t len, enum page_perm perm)
{
	for (uint64_t a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
		uint64_t *pdpt, *pd, *pt;

		if (a >= mapped_top)
			return -EINVAL;
		pdpt = descend(&root[idx(a, 3)], 3);
		pd = descend(&pdpt[idx(a, 2)], 2);
		pt = descend(&pd[idx(a, 1)], 1);
		pt[idx(a, 0)] = perm ? (a | perm_bits(perm)) : 0;
		asm volatile("invlpg (%0)" : : "r"(a) : "memory");
	}
	return 0;
}

int paging_init(const struct boot_mem_region *map, unsigned n)
{
	uint64_t top = LOW_4G;
	uint64_t image = (uint64_t)__image_start;

	if (cpuid(0x80000000, 0).eax >= CPUID_EXT_FEAT &&
	    cpuid(CPUID_EXT_FEAT, 0).edx & FEAT_NX) {
		nx = PTE_NX;
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	} else {
		pr_warn("CPU has no NX: data pages stay executable\n");
	}
	/*
	 * RAM and firmware tables; reserved ranges above 4 GiB are device
	 * windows (or holes) that get mapped when a driver needs them.
	 */
	for (unsigned i = 0; i < n; i++)
		if (map[i].type != BOOT_MEM_RESERVED && map[i].base + map[i].len > top)
			top = map[i].base + map[i].len;
	mapped_top = (top + SIZE_1G - 1) & ~(SIZE_1G - 1);
	root = table_alloc();
	for (uint64_t va = 0; va < mapped_top; va += SIZE_2M)
		map_2m(va);
	paging_protect(0, PAGE_SIZE, PAGE_NONE);
	paging_protect(image, (uint64_t)__text_end - image, PAGE_RX);
	paging_protect((uint64_t)__text_end, (uint64_t)__rodata_end - (uint64_t)__text_end,
		       PAGE_RO);
	paging_protect((uint64_t)__rodata_end, (uint64_t)__image_end - (uint64_t)__rodata_end,
		       PAGE_RW);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3((uint64_t)root);
	pr_info("identity map 0-%lu GiB, core text %#lx-%#lx r-x, W^X%s\n",
		(unsigned long)(mapped_top >> 30), (unsigned long)image,
		(unsigned long)__text_end, nx ? "" : " (no NX)");
	return 0;
}

uint64_t paging_root(void)
{
	return (uint64_t)root;
}

bool paging_readable(uint64_t va, uint64_t len)
{
	if (va + len < va || va + len > mapped_top)
		return false;
	/* Only page 0 is a hole below mapped_top outside the core image. */
	return va >= PAGE_SIZE;
}
