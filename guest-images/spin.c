// SPDX-License-Identifier: MIT
/*
 * CPU-bound guest for the fairness test: counts loop iterations while the
 * host TSC is inside a window common to every VM of the boot (from the
 * test device's epoch), then reports the count. Several of these sharing
 * one physical CPU should count about the same.
 */
#include "guest-images/lib/guest.h"

#define REG(off) (*(volatile uint64_t *)(uintptr_t)(TESTDEV_MMIO_BASE + (off)))
#define WINDOW_START 40000000ull  /* ticks after the epoch: every VM is running */
#define WINDOW_LEN   200000000ull

int main(void);
int main(void)
{
	uint64_t w0 = REG(TESTDEV_REG_EPOCH) + WINDOW_START, w1 = w0 + WINDOW_LEN;
	uint64_t count = 0;

	while (rdtsc() < w0)
		;
	while (rdtsc() < w1)
		count++;
	guest_printf("count %lu\n", count);
	return 0;
}
