// SPDX-License-Identifier: MIT
/* Halts with interrupts on and nothing to wake it: it lives until stopped. */
#include "guest-images/lib/guest.h"

int main(void);
int main(void)
{
	guest_printf("waiting\n");
	for (;;)
		asm volatile("sti; hlt" ::: "memory");
}
