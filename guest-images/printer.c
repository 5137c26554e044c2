// SPDX-License-Identifier: MIT
/* Prints numbered lines for a while (console multiplexing), then powers off. */
#include "guest-images/lib/guest.h"

#define LINES 40

int main(void);
int main(void)
{
	for (int i = 1; i <= LINES; i++) {
		guest_printf("line %d of %d: the quick brown fox jumps over the lazy dog\n", i, LINES);
		for (volatile int k = 0; k < 20000; k++)
			;
	}
	return 0;
}
