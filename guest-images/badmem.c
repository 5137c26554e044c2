// SPDX-License-Identifier: MIT
/*
 * Touch guest-physical memory nobody backs. Built three ways (BADMEM_MODE):
 * 0 read beyond RAM, 1 write into unclaimed MMIO, 2 execute beyond RAM.
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
#else
	((void (*)(void))0x40000000ull)();
#endif
	guest_printf("FAIL: badmem.still-running\n");
	return 1;
}
