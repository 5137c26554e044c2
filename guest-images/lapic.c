// SPDX-License-Identifier: MIT
/*
 * The local APIC as a guest sees it: registers, self-IPIs through the ICR,
 * task priority holding back a request, EOI, the timer in one-shot,
 * periodic and TSC-deadline modes, and the same through x2APIC MSRs.
 */
#include "guest-images/lib/guest.h"

#define APIC        0xfee00000ul
#define R_ID        0x020
#define R_VER       0x030
#define R_TPR       0x080
#define R_EOI       0x0b0
#define R_SVR       0x0f0
#define R_ISR       0x100
#define R_IRR       0x200
#define R_ICR       0x300
#define R_ICR2      0x310
#define R_LVT_TIMER 0x320
#define R_TMICT     0x380
#define R_TMCCT     0x390
#define R_TDCR      0x3e0
#define MSR_APIC_BASE    0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define VEC_IPI   0x50
#define VEC_TIMER 0x51
#define VEC_LOW   0x30

static volatile unsigned hits[256];
static volatile uint32_t isr_seen;
static bool x2;

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static uint32_t rd(unsigned off)
{
	return x2 ? (uint32_t)rdmsr(0x800 + off / 16) : *(volatile uint32_t *)(APIC + off);
}

static void wr(unsigned off, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + off / 16, v);
	else
		*(volatile uint32_t *)(APIC + off) = v;
}

struct frame;

/* A check's name in the current mode. */
#define N(s) (x2 ? "lapic.x2apic." s : "lapic.xapic." s)

__attribute__((interrupt)) static void on_ipi(struct frame *f)
{
	(void)f;
	hits[VEC_IPI]++;
	isr_seen = rd(R_ISR + (VEC_IPI / 32) * 16);
	wr(R_EOI, 0);
}

__attribute__((interrupt)) static void on_timer(struct frame *f)
{
	(void)f;
	hits[VEC_TIMER]++;
	wr(R_EOI, 0);
}

__attribute__((interrupt)) static void on_low(struct frame *f)
{
	(void)f;
	hits[VEC_LOW]++;
	wr(R_EOI, 0);
}

static void self_ipi(uint8_t vector)
{
	wr(R_ICR, (1u << 18) | vector); /* shorthand self, fixed */
}

/* Spin (interrupts on) until *p reaches want or about max_ticks TSC ticks pass. */
static bool wait_for(volatile unsigned *p, unsigned want, uint64_t max_ticks)
{
	uint64_t t0 = rdtsc();

	while (*p < want)
		if (rdtsc() - t0 > max_ticks)
			return false;
	return true;
}

static void registers(void)
{

	check((x2 ? rd(R_ID) : rd(R_ID) >> 24) == 0, N("id"), "id %#x", rd(R_ID));
	check((rd(R_VER) & 0xff) >= 0x10 && ((rd(R_VER) >> 16) & 0xff) >= 4, N("version"), "ver %#x",
	      rd(R_VER));
}

static void ipis(void)
{
	unsigned before = hits[VEC_IPI];

	self_ipi(VEC_IPI);
	asm volatile("nop" ::: "memory");
	check(hits[VEC_IPI] == before + 1, N("self-ipi"), "hits %u", hits[VEC_IPI] - before);
	check(isr_seen & (1u << (VEC_IPI % 32)), N("isr-in-handler"), "isr word %#x", isr_seen);
	/* TPR class 5 holds vector 0x50 back; lowering it lets it in. */
	wr(R_TPR, 0x50);
	self_ipi(VEC_IPI);
	asm volatile("nop" ::: "memory");
	check(hits[VEC_IPI] == before + 1 && (rd(R_IRR + 0x20) & (1u << (VEC_IPI % 32))), N("tpr-holds"),
	      "hits %u irr %#x", hits[VEC_IPI] - before, rd(R_IRR + 0x20));
	wr(R_TPR, 0);
	asm volatile("nop" ::: "memory");
	check(hits[VEC_IPI] == before + 2, N("tpr-release"), "hits %u", hits[VEC_IPI] - before);
}

static void timers(void)
{
	unsigned before = hits[VEC_TIMER];
	uint32_t c1, c2;
	uint64_t deadline;

	/* one-shot, divide by 1 */
	wr(R_TDCR, 0xb);
	wr(R_LVT_TIMER, VEC_TIMER);
	wr(R_TMICT, 200000);
	c1 = rd(R_TMCCT);
	c2 = rd(R_TMCCT);
	check(c1 && c2 < c1, N("oneshot-counts-down"), "%u then %u", c1, c2);
	check(wait_for(&hits[VEC_TIMER], before + 1, 50000000), N("oneshot-fires"), "no interrupt");
	wait_for(&hits[VEC_TIMER], before + 2, 2000000);
	check(hits[VEC_TIMER] == before + 1 && rd(R_TMCCT) == 0, N("oneshot-once"), "hits %u",
	      hits[VEC_TIMER] - before);
	/* periodic */
	before = hits[VEC_TIMER];
	wr(R_LVT_TIMER, VEC_TIMER | (1u << 17));
	wr(R_TMICT, 100000);
	check(wait_for(&hits[VEC_TIMER], before + 3, 100000000), N("periodic"), "hits %u",
	      hits[VEC_TIMER] - before);
	wr(R_LVT_TIMER, VEC_TIMER | (1u << 16) | (1u << 17)); /* masked */
	wr(R_TMICT, 0);
	/* TSC deadline, woken from HLT */
	before = hits[VEC_TIMER];
	wr(R_LVT_TIMER, VEC_TIMER | (2u << 17));
	deadline = rdtsc() + 300000;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	asm volatile("hlt" ::: "memory");
	check(hits[VEC_TIMER] == before + 1 && rdtsc() >= deadline, N("tsc-deadline"), "hits %u",
	      hits[VEC_TIMER] - before);
	check(rdmsr(MSR_TSC_DEADLINE) == 0, N("tsc-deadline-clears"), "msr %#lx", rdmsr(MSR_TSC_DEADLINE));
	wr(R_LVT_TIMER, 1u << 16);
}

int main(void);
int main(void)
{
	uint32_t r[4];

	idt_set_gate(VEC_IPI, (uint64_t)on_ipi);
	idt_set_gate(VEC_TIMER, (uint64_t)on_timer);
	idt_set_gate(VEC_LOW, (uint64_t)on_low);
	cpuid(1, 0, r);
	check(r[2] & (1u << 24), "lapic.cpuid-tsc-deadline", "ecx %#x", r[2]);
	check((rdmsr(MSR_APIC_BASE) & 0xfffff900ul) == 0xfee00900ul, "lapic.base-msr", "%#lx",
	      rdmsr(MSR_APIC_BASE));
	wr(R_SVR, 0x1ff);
	asm volatile("sti");
	registers();
	ipis();
	timers();
	/* x2APIC: the same through MSRs */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 10));
	x2 = true;
	check(rdmsr(0x802) == 0 && (rdmsr(0x80d) & 0xffff) == 1, "lapic.x2apic.ldr",
	      "id %#lx ldr %#lx", rdmsr(0x802), rdmsr(0x80d));
	registers();
	ipis();
	timers();
	wrmsr(0x83f, VEC_LOW); /* SELF IPI register */
	asm volatile("nop" ::: "memory");
	check(hits[VEC_LOW] == 1, "lapic.x2apic.self-ipi-msr", "hits %u", hits[VEC_LOW]);
	return guest_failures != 0;
}
