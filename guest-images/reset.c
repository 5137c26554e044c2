// SPDX-License-Identifier: MIT
/*
 * A guest that resets its machine: through the keyboard controller
 * (RESET_MODE 0: command 0xfe to port 0x64) or the reset control register
 * (RESET_MODE 1: 0x02 then 0x06 to port 0xcf9, as Linux does). The VM must
 * stop for a reboot at once: reaching the end is a failure.
 */
#include "guest-images/lib/guest.h"

int main(void);
int main(void)
{
#if RESET_MODE == 0
	check((inb(0x64) & 0x07) == 0x04, "reset.kbc-status", "status %x", inb(0x64));
	outb(0x64, 0xfe);
#else
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
#endif
	for (volatile int i = 0; i < 100000; i++)
		;
	check(false, "reset.still-running", "the reset did not stop the VM");
	return 1;
}
