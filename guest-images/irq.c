// SPDX-License-Identifier: MIT
/*
 * External-interrupt injection: an interrupt raised while the guest has
 * interrupts disabled waits (interrupt-window exiting) and arrives after
 * STI; one raised before STI; HLT wakes for it.
 */
#include "guest-images/lib/guest.h"

#define VECTOR 0x40
#define IRQ_REG ((volatile uint64_t *)(uintptr_t)(TESTDEV_MMIO_BASE + TESTDEV_REG_IRQ))

volatile uint64_t irq_count;
void irq_entry(void);
asm(".text\n.globl irq_entry\nirq_entry:\n\tlock incq irq_count(%rip)\n\tiretq\n");

int main(void);
int main(void)
{
	uint64_t before;

	idt_set_gate(VECTOR, (uint64_t)irq_entry);
	asm volatile("cli");
	*IRQ_REG = VECTOR;
	for (volatile int i = 0; i < 100; i++)
		;
	check(irq_count == 0, "irq.held-while-disabled", "count %lu", irq_count);
	asm volatile("sti; nop; nop" ::: "memory");
	check(irq_count == 1, "irq.delivered-after-sti", "count %lu", irq_count);
	*IRQ_REG = VECTOR;
	asm volatile("nop" ::: "memory");
	check(irq_count == 2, "irq.delivered-at-once-when-enabled", "count %lu", irq_count);
	asm volatile("cli");
	*IRQ_REG = VECTOR;
	before = irq_count;
	asm volatile("sti; hlt" ::: "memory");
	check(irq_count == before + 1, "irq.wakes-hlt", "count %lu", irq_count);
	return guest_failures != 0;
}
