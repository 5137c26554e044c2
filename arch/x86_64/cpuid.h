/* SPDX-License-Identifier: MIT */
/* The host's CPUID, for code outside arch/ (the guest CPUID handler). */
#ifndef ARCH_CPUID_H
#define ARCH_CPUID_H

#include "arch/x86_64/cpu.h"

/* CPUID into 64-bit registers (the instruction zero-extends its results). */
static inline void cpuid_host(uint32_t leaf, uint32_t subleaf, uint64_t out[4])
{
	asm volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
		     : "a"((uint64_t)leaf), "c"((uint64_t)subleaf));
}

#endif
