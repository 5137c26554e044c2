/* SPDX-License-Identifier: MIT */
/*
 * Interrupts and exceptions on the host. Exceptions in the core are our
 * bugs: each prints the registers and a backtrace, then stops the
 * machine. Interrupt vectors >= 32 go to handlers registered here.
 */
#ifndef ARCH_TRAPS_H
#define ARCH_TRAPS_H

#include <stdint.h>

/* What the entry stubs save; layout shared with isr.S. */
struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "isr.S pushes 22 quadwords");

#define NR_VECTORS 256
#define FIRST_IRQ_VECTOR 32

enum exception_vector {
	EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
	EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
	EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
	EXC_VE = 20, EXC_CP = 21,
};

typedef void (*irq_handler_fn)(struct trap_frame *f);

/* Build the IDT once (boot CPU). */
void idt_init(void);
/* Switch #DF, NMI and #MC to their own stacks (once the BSP has a TSS). */
void idt_enable_ist(void);
/* Load it on the calling CPU. */
void idt_load(void);
/* Route vector (>= 32) to fn. Boot only. */
void irq_register(unsigned vector, irq_handler_fn fn);

/* Run the handler of an interrupt acknowledged elsewhere (VM exit). */
void irq_dispatch(unsigned vector);

/* Print a backtrace starting from frame pointer rbp. */
void dump_backtrace(uint64_t rip, uint64_t rbp);

#endif
