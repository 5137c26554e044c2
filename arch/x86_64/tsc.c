// SPDX-License-Identifier: MIT
/*
 * TSC frequency discovery. CPUID 0x15 gives crystal ratio (SDM Vol. 3B,
 * "Determining the Processor Base Frequency"); 0x16 gives the base
 * frequency in MHz. Otherwise we calibrate against PIT channel 2, gated
 * through port 0x61, counting down 20 ms in mode 0.
 */
#define pr_fmt "tsc"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "drivers/console.h"

#define PIT_HZ        1193182
#define PIT_CH2       0x42
#define PIT_MODE      0x43
#define PIT_GATE      0x61
#define GATE_CH2      0x01 /* port 0x61 bit 0: channel 2 gate */
#define GATE_SPEAKER  0x02 /* port 0x61 bit 1: speaker data */
#define GATE_OUT2     0x20 /* port 0x61 bit 5: channel 2 output */
#define PIT_CH2_MODE0 0xb0 /* channel 2, lo/hi byte, mode 0, binary */
#define CALIB_MS      20

static uint64_t khz;
static uint64_t boot_tsc;
static const char *source = "none";

uint64_t tsc_at_boot(void)
{
	return boot_tsc;
}

void tsc_mark_boot(void)
{
	boot_tsc = rdtsc();
}

static uint64_t khz_from_cpuid(void)
{
	uint32_t max = cpuid(0, 0).eax;
	struct cpuid_regs r;

	if (max >= 0x15) {
		r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx) {
			source = "cpuid 0x15";
			return (uint64_t)r.ecx * r.ebx / r.eax / 1000;
		}
	}
	if (max >= 0x16) {
		r = cpuid(0x16, 0);
		if (r.eax & 0xffff) {
			source = "cpuid 0x16";
			return (uint64_t)(r.eax & 0xffff) * 1000;
		}
	}
	return 0;
}

static uint64_t khz_from_pit(void)
{
	uint16_t count = PIT_HZ * CALIB_MS / 1000;
	uint8_t gate = inb(PIT_GATE);
	uint64_t t0, t1;
	unsigned long spins = 0;

	outb(PIT_GATE, (gate & ~GATE_SPEAKER) & ~GATE_CH2);
	outb(PIT_MODE, PIT_CH2_MODE0);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	outb(PIT_GATE, (gate & ~GATE_SPEAKER) | GATE_CH2);
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & GATE_OUT2))
		if (++spins > 100000000ul)
			break;
	t1 = rdtsc();
	outb(PIT_GATE, gate);
	if (spins > 100000000ul)
		return 0;
	source = "pit";
	return (t1 - t0) / CALIB_MS;
}

void tsc_init(void)
{
	khz = khz_from_cpuid();
	if (!khz)
		khz = khz_from_pit();
	if (!khz) {
		pr_warn("no TSC frequency (PIT channel 2 silent); assuming 1 GHz\n");
		khz = 1000000;
		source = "guess";
	}
	pr_info("TSC %lu.%03lu MHz (%s)\n", (unsigned long)(khz / 1000),
		(unsigned long)(khz % 1000), source);
}

uint64_t tsc_khz(void)
{
	return khz;
}

const char *tsc_source(void)
{
	return source;
}

uint64_t tsc_ns_since_boot(void)
{
	uint64_t d = rdtsc() - boot_tsc;

	if (!khz)
		return 0;
	/* Split so that d * 10^6 cannot overflow. */
	return d / khz * 1000000 + d % khz * 1000000 / khz;
}

void tsc_delay_us(uint64_t us)
{
	uint64_t k = khz ? khz : 1000000;
	uint64_t end = rdtsc() + us * k / 1000;

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

uint64_t tsc_read(void)
{
	return rdtsc();
}
