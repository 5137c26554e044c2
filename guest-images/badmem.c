// SPDX-License-Identifier: MIT
/*
 * Touch guest-physical memory nobody backs. Built four ways (BADMEM_MODE):
 * 0 read beyond RAM, 1 write into unclaimed MMIO, 2 execute beyond RAM,
 * 3 take an exception with the stack in device memory (the local APIC's
 * page): the CPU's own pushes reach MMIO while it delivers the event.
 * Each must stop this VM with a message; the next guest still runs.
 */
#include "guest-images/lib/guest.h"

int main(void);
int main(void)
{
	guest_printf("about to misbehave (mode %d)\n", BADMEM_MODE);
#if BADMEM_MODE == 0
	(void)*(volatile uint64_t *)0x40000000ull;
#elif BADMEM_MODE == 1
	*(volatile uint32_t *)0xfe000000ull = 1;
#elif BADMEM_MODE == 2
	((void (*)(void))0x40000000ull)();
#else
	asm volatile("mov %%rsp, %%rbx; mov $0xfee00800, %%rsp; int3; mov %%rbx, %%rsp"
		     : : : "rbx", "memory");
#endif
	guest_printf("FAIL: badmem.still-running\n");
	return 1;
}
