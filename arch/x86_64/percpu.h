/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU state. Each CPU's GS base points at its struct pcpu, whose first
 * field points to itself, so this_cpu() is one load. Index 0 is the boot
 * CPU; indices follow the order CPUs were brought up.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/segment.h"
#include "include/basalt/limits.h"

/* 64-bit TSS (SDM Vol. 3A, "Task-State Segment in 64-bit Mode"). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS layout");

#define VMCS_FAIL_SET   (1ull << 32)
#define VMCS_FAIL_WRITE (1ull << 33)

enum ist_slot { IST_DF = 1, IST_NMI = 2, IST_MC = 3, NR_IST = 3 };

struct pcpu {
	struct pcpu *self; /* must stay first: this_cpu() reads %gs:0 */
	unsigned id;
	uint32_t apic_id;
	volatile bool online;
	uint64_t stack_top;
	uint64_t vmxon_region; /* physical; 0 when VMX is off on this CPU */
	uint64_t vmcs_fail_field; /* first failed VMREAD/VMWRITE, see vmcs.h */
	uint64_t current_vmcs; /* physical address of the current VMCS, 0 none */
	volatile bool kicked;  /* a kick IPI arrived (cpu_wait_for_kick) */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
};

static inline struct pcpu *this_cpu(void)
{
	struct pcpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Per-CPU storage for CPU index i (0 <= i < MAX_CPUS). */
struct pcpu *pcpu_get(unsigned i);

/*
 * Give CPU index i its GDT, TSS (with IST stacks from the allocator) and GS
 * base, and load them on the calling CPU. Called by each CPU for itself.
 */
void pcpu_setup(unsigned i, uint32_t apic_id, uint64_t stack_top);

#endif
