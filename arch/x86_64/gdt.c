// SPDX-License-Identifier: MIT
/*
 * Per-CPU GDT and TSS. Descriptor formats: SDM Vol. 3A, "Segment
 * Descriptors" and "TSS Descriptor in 64-bit mode". The TSS carries the
 * interrupt stacks (IST) used for #DF, NMI and #MC, so those still run on
 * a good stack when the current one is broken.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pmm.h"
#include "drivers/console.h"

#define DESC_CODE64 0x00af9a000000ffffull /* P, DPL0, code, L */
#define DESC_DATA   0x00cf92000000ffffull /* P, DPL0, data, writable */
#define TSS_TYPE_AVAILABLE 0x89ull        /* P, 64-bit TSS available */

static struct pcpu pcpus[MAX_CPUS];

struct pcpu *pcpu_get(unsigned i)
{
	return i < MAX_CPUS ? &pcpus[i] : 0;
}

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void set_tss_desc(uint64_t *gdt, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (TSS_TYPE_AVAILABLE << 40) | (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;
}

void pcpu_setup(unsigned i, uint32_t apic_id, uint64_t stack_top)
{
	struct pcpu *c = &pcpus[i];
	struct desc_ptr gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };

	c->self = c;
	c->id = i;
	c->apic_id = apic_id;
	c->stack_top = stack_top;
	c->gdt[0] = 0;
	c->gdt[SEL_CODE64 / 8] = DESC_CODE64;
	c->gdt[SEL_DATA / 8] = DESC_DATA;
	for (int s = 0; s < NR_IST; s++) {
		uint64_t pa = pmm_alloc(IST_STACK_SIZE / PAGE_SIZE, PAGE_SIZE, LOW_MEM_END, ~0ull);

		if (!pa)
			panic("cpu%u: no memory for interrupt stacks", i);
		c->tss.ist[s] = pa + IST_STACK_SIZE;
	}
	c->tss.rsp[0] = stack_top;
	c->tss.iomap_base = sizeof(c->tss); /* no I/O bitmap */
	set_tss_desc(c->gdt, &c->tss);

	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
		     : : "i"(SEL_CODE64) : "rax", "memory");
	asm volatile("movl %0, %%ds; movl %0, %%es; movl %0, %%ss"
		     : : "r"(SEL_DATA) : "memory");
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}
