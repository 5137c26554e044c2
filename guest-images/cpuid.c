// SPDX-License-Identifier: MIT
/* CPUID as Basalt presents it: no VMX, a hypervisor bit and leaf range. */
#include "guest-images/lib/guest.h"

int main(void);
int main(void)
{
	uint32_t r[4];
	char sig[13];
	uint32_t max;

	cpuid(0, 0, r);
	check(r[0] >= 1 && r[1] != 0, "cpuid.leaf0", "max %u vendor %x", r[0], r[1]);
	max = r[0];
	cpuid(1, 0, r);
	check(!(r[2] & (1u << 5)), "cpuid.no-vmx", "ecx %x", r[2]);
	check(r[2] & (1u << 31), "cpuid.hypervisor-bit", "ecx %x", r[2]);
	check(!(r[2] & (1u << 3)), "cpuid.no-monitor", "ecx %x", r[2]);
	/* no feature whose MSRs are not emulated: DS, ACPI thermal, TM, TM2, EIST, PDCM */
	check(!(r[3] & ((1u << 21) | (1u << 22) | (1u << 29))) &&
		      !(r[2] & ((1u << 7) | (1u << 8) | (1u << 15))),
	      "cpuid.no-unemulated-msrs", "ecx %x edx %x", r[2], r[3]);
	if (max >= 6) {
		cpuid(6, 0, r);
		check(!(r[0] & ~(1u << 2)) && !r[1] && !r[2] && !r[3], "cpuid.leaf6-arat-only",
		      "%x %x %x %x", r[0], r[1], r[2], r[3]);
	}
	if (max >= 0xd) {
		cpuid(0xd, 1, r);
		check(!(r[0] & (1u << 3)) && !r[2], "cpuid.no-xsaves", "eax %x ecx %x", r[0], r[2]);
	}
	cpuid(0x40000000, 0, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	check(!memcmp(sig, "BasaltBasalt", 12), "cpuid.signature", "got '%s'", sig);
	check(r[0] >= 0x40000010, "cpuid.hv-max-leaf", "max %x", r[0]);
	cpuid(0x40000010, 0, r);
	check(r[0] >= 1000, "cpuid.tsc-khz", "eax %u", r[0]);
	guest_printf("TSC frequency from CPUID: %u kHz\n", r[0]);
	if (max >= 0x15) { /* the crystal leaf names the same frequency, to the Hz */
		uint64_t khz = r[0];

		cpuid(0x15, 0, r);
		check(r[0] && r[1] && r[2] && (uint64_t)r[2] * r[1] % r[0] == 0 &&
			      (uint64_t)r[2] * r[1] / r[0] == khz * 1000,
		      "cpuid.crystal", "eax %u ebx %u ecx %u, TSC %lu kHz", r[0], r[1], r[2],
		      (unsigned long)khz);
	}
	return guest_failures != 0;
}
