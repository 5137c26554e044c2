// SPDX-License-Identifier: MIT
/*
 * A VM with two vCPUs (flat images start every vCPU at the entry with its
 * index in RDI). Both must be running at the same time, on two physical
 * CPUs when pinned so, and share the VM's memory.
 */
#include "guest-images/lib/guest.h"

#define NR 2

static volatile uint64_t arrived, done;

int main(unsigned long vcpu);
int main(unsigned long vcpu)
{
	uint64_t spins = 0;

	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	while (arrived < NR && ++spins < 2000000000ull)
		;
	check(arrived == NR, vcpu ? "smp.vcpu1-sees-both" : "smp.vcpu0-sees-both",
	      "arrived %lu", arrived);
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
	if (vcpu) /* the others wait; vCPU 0 powers the VM off */
		for (;;)
			asm volatile("cli; hlt");
	while (done < NR)
		;
	return guest_failures != 0;
}
