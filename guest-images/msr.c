// SPDX-License-Identifier: MIT
/* MSRs: emulated and pass-through ones work, anything else raises #GP. */
#include "guest-images/lib/guest.h"

static uint32_t msr_nr;
static uint64_t msr_val;

static void do_rdmsr(void *arg)
{
	uint32_t lo, hi;

	(void)arg;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr_nr));
	msr_val = (uint64_t)hi << 32 | lo;
}

static void do_wrmsr(void *arg)
{
	(void)arg;
	asm volatile("wrmsr" : : "c"(msr_nr), "a"((uint32_t)msr_val), "d"((uint32_t)(msr_val >> 32)));
}

static int rd(uint32_t msr, uint64_t *val)
{
	int v;

	msr_nr = msr;
	v = catch_exception(do_rdmsr, 0);
	*val = msr_val;
	return v;
}

static int wr(uint32_t msr, uint64_t val)
{
	msr_nr = msr;
	msr_val = val;
	return catch_exception(do_wrmsr, 0);
}

int main(void);
int main(void)
{
	uint64_t v = 0;
	int e;

	e = rd(0xc0000080, &v);
	check(e < 0 && (v & (1 << 10)) && (v & (1 << 8)), "msr.efer-lma", "vector %d efer %lx", e, v);
	e = wr(0x277, 0x0007040600070406ull) < 0 && rd(0x277, &v) < 0 ? 0 : 1;
	check(!e && v == 0x0007040600070406ull, "msr.pat", "pat %lx", v);
	check(wr(0x277, 0x0000000000000002ull) == 13, "msr.pat-invalid-gp", "no #GP");
	e = wr(0x2ff, 0xc06) < 0 && rd(0x2ff, &v) < 0 ? 0 : 1;
	check(!e && v == 0xc06, "msr.mtrr-def-type", "value %lx", v);
	e = wr(0xc0000082, 0xffffffff81000000ull) < 0 && rd(0xc0000082, &v) < 0 ? 0 : 1;
	check(!e && v == 0xffffffff81000000ull, "msr.lstar-passthrough", "value %lx", v);
	e = rd(0x1b, &v);
	check(e < 0 && (v & ~0xfffull) == 0xfee00000ull && (v & (1 << 11)), "msr.apic-base",
	      "value %lx", v);
	check(rd(0xe7, &v) == 13, "msr.mperf-gp", "no #GP");
	check(rd(0xc0010015, &v) == 13, "msr.unknown-read-gp", "no #GP");
	check(wr(0x3a, 5) == 13, "msr.feature-control-write-gp", "no #GP");
	check(wr(0x1b, 0x12345000ull | (1 << 11)) == 13, "msr.apic-move-gp", "no #GP");
	return guest_failures != 0;
}
