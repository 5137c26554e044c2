// SPDX-License-Identifier: MIT
/* A triple fault: an empty IDT, then an exception. */
#include "guest-images/lib/guest.h"

int main(void);
int main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	guest_printf("about to triple-fault\n");
	asm volatile("lidt %0; int3" : : "m"(idtr));
	guest_printf("FAIL: triple.still-running\n");
	return 1;
}
