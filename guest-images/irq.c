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

struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));

static void install(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;
	uint64_t h = (uint64_t)irq_entry;

	/* Keep the exception gates guest_init() installed. */
	asm volatile("sidt %0" : "=m"(idtr));
	memcpy(idt, (void *)idtr.base, idtr.limit + 1u);
	idt[VECTOR] = (struct gate){ (uint16_t)h, 0x08, 0, 0x8e, (uint16_t)(h >> 16),
				     (uint32_t)(h >> 32), 0 };
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)idt;
	asm volatile("lidt %0" : : "m"(idtr));
}

int main(void);
int main(void)
{
	uint64_t before;

	install();
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
