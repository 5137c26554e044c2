// SPDX-License-Identifier: MIT
/*
 * The idle guest of the fairness test: halts with interrupts enabled
 * until a timer after the spinners' window, so it should take almost no
 * CPU time while they share the CPU.
 */
#include "guest-images/lib/guest.h"

#define REG(off) (*(volatile uint64_t *)(uintptr_t)(TESTDEV_MMIO_BASE + (off)))
#define WAKE_AFTER 260000000ull /* ticks after the epoch: after the window */
#define VECTOR 0x41

volatile uint64_t woken;
void tick_entry(void);
asm(".text\n.globl tick_entry\ntick_entry:\n\tincq woken(%rip)\n\tiretq\n");

int main(void);
int main(void)
{
	idt_set_gate(VECTOR, (uint64_t)tick_entry);
	REG(TESTDEV_REG_TIMER_VECTOR) = VECTOR;
	REG(TESTDEV_REG_TIMER) = REG(TESTDEV_REG_EPOCH) + WAKE_AFTER;
	while (!woken)
		asm volatile("sti; hlt; cli" ::: "memory");
	check(rdtsc() >= REG(TESTDEV_REG_EPOCH) + WAKE_AFTER, "halt.woke-by-timer", "early");
	return guest_failures != 0;
}
