// SPDX-License-Identifier: MIT
/*
 * XSAVE/FXSAVE switching (SDM Vol. 1, "Managing State Using the XSAVE
 * Feature Set"). With XSAVE, the area header's XSTATE_BV says which
 * components hold saved values; XRSTOR puts the others in their init
 * state, so a zeroed area restores a pristine FPU.
 */
#define pr_fmt "fpu"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/pmm.h"
#include "drivers/console.h"

#define CPUID1_ECX_XSAVE (1u << 26)
#define XCR0_X87 1ull
#define XCR0_SSE 2ull
#define FXSAVE_SIZE 512
#define FCW_INIT 0x037f
#define MXCSR_INIT 0x1f80
#define FXSAVE_FCW_OFF 0
#define FXSAVE_MXCSR_OFF 24

static int have_xsave;
static uint64_t xcr0_all = XCR0_X87 | XCR0_SSE;
static uint64_t area_size = PAGE_SIZE;

static void xsetbv(uint64_t v)
{
	asm volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void fpu_init_cpu(void)
{
	have_xsave = (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) != 0;
	write_cr4(read_cr4() | CR4_OSFXSR | (have_xsave ? CR4_OSXSAVE : 0));
	if (!have_xsave)
		return;
	{
		struct cpuid_regs r = cpuid(0xd, 0);
		uint64_t size = r.ecx;

		xcr0_all = r.eax | ((uint64_t)r.edx << 32);
		area_size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	}
	xsetbv(xcr0_all);
}

uint64_t fpu_area_size(void)
{
	return area_size;
}

uint64_t fpu_xcr0_supported(void)
{
	return xcr0_all;
}

void fpu_area_init(void *area)
{
	uint16_t fcw = FCW_INIT;
	uint32_t mxcsr = MXCSR_INIT;

	memset(area, 0, area_size);
	/* Only FXRSTOR reads these; XRSTOR uses init values (XSTATE_BV = 0). */
	memcpy((uint8_t *)area + FXSAVE_FCW_OFF, &fcw, sizeof(fcw));
	memcpy((uint8_t *)area + FXSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
}

void fpu_set_xcr0(uint64_t xcr0)
{
	if (have_xsave)
		xsetbv(xcr0);
}

void fpu_load(void *area, uint64_t xcr0)
{
	if (!have_xsave) {
		asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
		return;
	}
	xsetbv(xcr0_all);
	asm volatile("xrstor64 (%0)" : : "r"(area), "a"((uint32_t)xcr0_all),
		     "d"((uint32_t)(xcr0_all >> 32)) : "memory");
	xsetbv(xcr0);
}

void fpu_save(void *area)
{
	if (!have_xsave) {
		asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
		return;
	}
	xsetbv(xcr0_all);
	asm volatile("xsave64 (%0)" : : "r"(area), "a"((uint32_t)xcr0_all),
		     "d"((uint32_t)(xcr0_all >> 32)) : "memory");
}
