// SPDX-License-Identifier: MIT
/*
 * Exit round-trip costs, in TSC ticks (Bochs: instructions). Each loop
 * runs N iterations of one exiting instruction and divides; the loop's own
 * cost is measured separately and subtracted. Prints a table and one line
 * of JSON ("BENCH-JSON: {...}") for scripts/bench.sh.
 */
#include "guest-images/lib/guest.h"

#define N 1000
#define MMIO_NULL ((volatile uint32_t *)(uintptr_t)(TESTDEV_MMIO_BASE + TESTDEV_REG_NULL))

static uint64_t loop_empty(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		asm volatile("" ::: "memory");
	return rdtsc() - t0;
}

static uint64_t loop_cpuid(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++) {
		uint32_t a = 0, b, c = 0, d;

		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
	}
	return rdtsc() - t0;
}

static uint64_t loop_vmcall(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		hypercall(HC_NOP, 0, 0, 0);
	return rdtsc() - t0;
}

static uint64_t loop_pio(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		(void)inb(TESTDEV_PIO_NULL);
	return rdtsc() - t0;
}

static uint64_t loop_mmio(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		(void)*MMIO_NULL;
	return rdtsc() - t0;
}

int main(void);
int main(void)
{
	uint64_t base = loop_empty() / N;
	uint64_t cpuid = loop_cpuid() / N - base, vmcall = loop_vmcall() / N - base;
	uint64_t pio = loop_pio() / N - base, mmio = loop_mmio() / N - base;

	guest_printf("exit round trips (ticks per operation, %d each, loop cost %lu removed)\n", N, base);
	guest_printf("  CPUID        %6lu   (budget 150)\n", cpuid);
	guest_printf("  VMCALL       %6lu\n", vmcall);
	guest_printf("  PIO read     %6lu   (budget 300)\n", pio);
	guest_printf("  MMIO read    %6lu   (budget 600)\n", mmio);
	guest_printf("BENCH-JSON: {\"cpuid\": %lu, \"vmcall\": %lu, \"pio_read\": %lu, \"mmio_read\": %lu, \"iterations\": %d}\n",
		     cpuid, vmcall, pio, mmio, N);
	check(cpuid <= 150, "bench.cpuid-budget", "%lu ticks", cpuid);
	check(pio <= 300, "bench.pio-budget", "%lu ticks", pio);
	check(mmio <= 600, "bench.mmio-budget", "%lu ticks", mmio);
	return 0;
}
