// SPDX-License-Identifier: MIT
/*
 * The local APICs (vmm/dev/lapic.c) of a two-vCPU VM, driven as a guest
 * drives them: xAPIC MMIO through the real bus, x2APIC and the APIC base
 * through the MSR entry points, interrupts through vlapic_accept() and the
 * real routing (vmm/irq.c), timers through vtimer_run() with a fake TSC.
 * Register offsets, bit layouts and state transitions are taken from the
 * SDM (Vol. 3A, "Advanced Programmable Interrupt Controller (APIC)"), not
 * from the code's constants. Fakes: tests/lapic_fake.h.
 */
#include "tests/lapic_fake.h"

#include "tests/unit/unit.h"

/* SDM Vol. 3A, "Local APIC Register Address Map" (x2APIC MSR = 0x800 + offset / 16). */
#define REG_ID       0x020
#define REG_VER      0x030
#define REG_TPR      0x080
#define REG_PPR      0x0a0
#define REG_EOI      0x0b0
#define REG_LDR      0x0d0
#define REG_DFR      0x0e0
#define REG_SVR      0x0f0
#define REG_ISR      0x100
#define REG_TMR      0x180
#define REG_IRR      0x200
#define REG_ESR      0x280
#define REG_CMCI     0x2f0
#define REG_ICR      0x300
#define REG_ICR2     0x310
#define REG_TIMER    0x320
#define REG_THERMAL  0x330
#define REG_PERF     0x340
#define REG_LINT0    0x350
#define REG_LINT1    0x360
#define REG_ERROR    0x370
#define REG_TMICT    0x380
#define REG_TMCCT    0x390
#define REG_TDCR     0x3e0
#define REG_SELF_IPI 0x3f0
#define MSR(off)     (0x800u + (off) / 16)

#define MSR_BASE     0x1b
#define MSR_DEADLINE 0x6e0
#define BASE_BSP     (1u << 8)
#define BASE_EXTD    (1u << 10)
#define BASE_EN      (1u << 11)
#define XAPIC        (0xfee00000u | BASE_EN)
#define X2APIC       (XAPIC | BASE_EXTD)

#define MASKED   (1u << 16)
#define PERIODIC (1u << 17)
#define DEADLINE (2u << 17)
#define SHORT_SELF     (1u << 18)
#define SHORT_ALL      (2u << 18)
#define SHORT_OTHERS   (3u << 18)
#define ICR_LOGICAL    (1u << 11)
#define ICR_BUSY       (1u << 12)
#define ICR_ASSERT     (1u << 14)
#define ICR_LEVEL      (1u << 15)
#define ICR_NMI        (4u << 8)
#define ICR_INIT       (5u << 8)
#define ICR_SIPI       (6u << 8)

/* 3 TSC ticks per timer count (before the divider): TSC = crystal * 6 / 2. */
#define TEST_CLOCK ((struct vlapic_clock){ .den = 2, .num = 6, .hz = 1000000000 })
#define TICKS      3
#define TSC0       0x100000000ull

static struct vm *vm;
static struct vcpu *cpu0, *cpu1;

static void setup(void)
{
	int err;

	fake_tsc = TSC0;
	vm = fake_vm_create(2, TEST_CLOCK, &err);
	CHECK_EQ_I(err, 0);
	cpu0 = vm->vcpus[0];
	cpu1 = vm->vcpus[1];
}

static void teardown(void)
{
	fake_vm_destroy(vm);
	vm = NULL;
}

/* --- the guest's view --------------------------------------------------------- */

static uint64_t msr_rd(struct vcpu *v, uint32_t msr)
{
	uint64_t x = 0xbad;

	CHECK_EQ_I(vlapic_rdmsr(v, msr, &x), 0);
	return x;
}

static void msr_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	CHECK_EQ_I(vlapic_wrmsr(v, msr, val), 0);
}

/* The access raises #GP. */
static bool msr_rd_gp(struct vcpu *v, uint32_t msr)
{
	uint64_t x;

	return vlapic_rdmsr(v, msr, &x) == -1;
}

static bool msr_wr_gp(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return vlapic_wrmsr(v, msr, val) == -1;
}

static uint32_t mmio_rd(struct vcpu *v, unsigned off)
{
	uint64_t x = ~0ull;

	CHECK_EQ_I(fake_mmio(v, off, 4, false, &x), 0);
	CHECK_EQ_U(x >> 32, 0);
	return (uint32_t)x;
}

static void mmio_wr(struct vcpu *v, unsigned off, uint32_t val)
{
	uint64_t x = val;

	CHECK_EQ_I(fake_mmio(v, off, 4, true, &x), 0);
}

static bool in_x2apic(struct vcpu *v)
{
	return msr_rd(v, MSR_BASE) & BASE_EXTD;
}

/* A register through whichever interface the vCPU's mode has. */
static uint32_t rd(struct vcpu *v, unsigned off)
{
	return in_x2apic(v) ? (uint32_t)msr_rd(v, MSR(off)) : mmio_rd(v, off);
}

static void wr(struct vcpu *v, unsigned off, uint32_t val)
{
	if (in_x2apic(v))
		msr_wr(v, MSR(off), val);
	else
		mmio_wr(v, off, val);
}

/* Bit vec of the 256-bit register at off (ISR, TMR, IRR). */
static bool bit(struct vcpu *v, unsigned off, unsigned vec)
{
	return rd(v, off + vec / 32 * 16) >> (vec % 32) & 1;
}

static void fixed(struct vcpu *v, uint8_t vec, bool level)
{
	struct apic_msg m = { .mode = APIC_DM_FIXED, .vector = vec, .level = level };

	vlapic_accept(v, &m);
}

static void sw_enable(struct vcpu *v)
{
	wr(v, REG_SVR, 0x1ff);
}

/* Take the deliverable vector as the exit path does (IRR -> ISR); -1 none. */
static int take(struct vcpu *v)
{
	int vec = vlapic_pending(v);

	if (vec >= 0)
		vlapic_ack(v, vec);
	return vec;
}

static bool irr_empty(struct vcpu *v)
{
	for (unsigned i = 0; i < 8; i++)
		if (v->lapic->irr[i])
			return false;
	return true;
}

/* --- registers ------------------------------------------------------------------- */

TEST(lapic_reset_values)
{
	setup();
	for (unsigned i = 0; i < 2; i++) {
		struct vcpu *v = vm->vcpus[i];

		CHECK_EQ_U(rd(v, REG_ID), i << 24);
		CHECK_EQ_U(rd(v, REG_VER) & 0xff, 0x14); /* integrated xAPIC */
		/* Max LVT entry 6: timer .. error, and CMCI, which reads as masked. */
		CHECK_EQ_U(rd(v, REG_VER) >> 16 & 0xff, 6);
		CHECK_EQ_U(rd(v, REG_CMCI), MASKED);
		CHECK_EQ_U(rd(v, REG_SVR), 0xff);
		CHECK_EQ_U(rd(v, REG_TPR), 0);
		CHECK_EQ_U(rd(v, REG_PPR), 0);
		CHECK_EQ_U(rd(v, REG_LDR), 0);
		CHECK_EQ_U(rd(v, REG_DFR), 0xffffffffu);
		CHECK_EQ_U(rd(v, REG_ESR), 0);
		CHECK_EQ_U(rd(v, REG_ICR), 0);
		CHECK_EQ_U(rd(v, REG_ICR2), 0);
		CHECK_EQ_U(rd(v, REG_TMICT), 0);
		CHECK_EQ_U(rd(v, REG_TMCCT), 0);
		CHECK_EQ_U(rd(v, REG_TDCR), 0);
		for (unsigned off = REG_TIMER; off <= REG_ERROR; off += 0x10)
			if (i || (off != REG_LINT0 && off != REG_LINT1))
				CHECK_EQ_U(rd(v, off), MASKED);
		for (unsigned w = 0; w < 8; w++) {
			CHECK_EQ_U(rd(v, REG_ISR + w * 16), 0);
			CHECK_EQ_U(rd(v, REG_TMR + w * 16), 0);
			CHECK_EQ_U(rd(v, REG_IRR + w * 16), 0);
		}
		CHECK_EQ_U(msr_rd(v, MSR_BASE), XAPIC | (i ? 0 : BASE_BSP));
		CHECK_EQ_U(msr_rd(v, MSR_DEADLINE), 0);
		CHECK_EQ_I(vlapic_pending(v), -1);
		CHECK(!vlapic_take_nmi(v) && !vlapic_take_init(v));
		CHECK_EQ_I(vlapic_take_sipi(v), -1);
		CHECK(!vlapic_wakes(v));
		CHECK(vlapic_takes_extint(v)); /* software-disabled: INTR passes through */
	}
	/* The boot CPU in virtual wire mode: ExtINT on LINT0, NMI on LINT1. */
	CHECK_EQ_U(rd(cpu0, REG_LINT0), 0x700);
	CHECK_EQ_U(rd(cpu0, REG_LINT1), 0x400);
	teardown();
}

TEST(lapic_register_masks)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TPR, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_TPR), 0xff);
	wr(cpu0, REG_LDR, 0x12345678);
	CHECK_EQ_U(rd(cpu0, REG_LDR), 0x12000000);
	wr(cpu0, REG_DFR, 0);
	CHECK_EQ_U(rd(cpu0, REG_DFR), 0x0fffffff); /* only the model is writable */
	wr(cpu0, REG_SVR, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_SVR), 0x13ff);
	wr(cpu0, REG_TDCR, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_TDCR), 0xb);
	wr(cpu0, REG_ICR2, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_ICR2), 0xff000000);
	/* LVTs: delivery status and remote IRR are read-only. */
	wr(cpu0, REG_LINT0, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_LINT0), 0x1a7ff);
	wr(cpu0, REG_TIMER, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_TIMER), 0x700ff);
	wr(cpu0, REG_CMCI, 0xffffffff);
	CHECK_EQ_U(rd(cpu0, REG_CMCI), 0x107ff);
	/* Read-only registers keep their values. */
	wr(cpu0, REG_ID, 0x05000000);
	wr(cpu0, REG_VER, 0);
	wr(cpu0, REG_PPR, 0x40);
	CHECK_EQ_U(rd(cpu0, REG_ID), 0);
	CHECK_EQ_U(rd(cpu0, REG_VER) & 0xff, 0x14);
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0xff); /* the TPR */
	teardown();
}

TEST(lapic_svr_software_disable)
{
	setup();
	/* Disabled (reset): fixed interrupts are refused, NMIs are not. */
	fixed(cpu0, 0x30, false);
	CHECK(irr_empty(cpu0));
	vlapic_accept(cpu0, &(struct apic_msg){ .mode = APIC_DM_NMI });
	CHECK(vlapic_take_nmi(cpu0));
	/* While disabled, LVT writes stay masked. */
	wr(cpu0, REG_ERROR, 0x55);
	CHECK_EQ_U(rd(cpu0, REG_ERROR), MASKED | 0x55);
	sw_enable(cpu0);
	fixed(cpu0, 0x30, false);
	CHECK(bit(cpu0, REG_IRR, 0x30));
	wr(cpu0, REG_TIMER, 0x40);
	wr(cpu0, REG_THERMAL, 0x41);
	wr(cpu0, REG_PERF, 0x42);
	wr(cpu0, REG_LINT0, 0x43);
	wr(cpu0, REG_LINT1, 0x44);
	wr(cpu0, REG_ERROR, 0x45);
	wr(cpu0, REG_CMCI, 0x46);
	for (unsigned off = REG_TIMER; off <= REG_ERROR; off += 0x10)
		CHECK_EQ_U(rd(cpu0, off), 0x40 + (off - REG_TIMER) / 16);
	CHECK_EQ_U(rd(cpu0, REG_CMCI), 0x46);
	/* Software disable masks every LVT and keeps the rest. */
	wr(cpu0, REG_SVR, 0x0ff);
	for (unsigned off = REG_TIMER; off <= REG_ERROR; off += 0x10)
		CHECK_EQ_U(rd(cpu0, off), MASKED | (0x40 + (off - REG_TIMER) / 16));
	CHECK_EQ_U(rd(cpu0, REG_CMCI), MASKED | 0x46);
	CHECK(bit(cpu0, REG_IRR, 0x30)); /* held */
	/* Enabling again leaves them masked. */
	sw_enable(cpu0);
	CHECK_EQ_U(rd(cpu0, REG_TIMER), MASKED | 0x40);
	teardown();
}

/* --- priority, acknowledge, EOI ------------------------------------------------ */

TEST(lapic_priority)
{
	setup();
	sw_enable(cpu0);
	fixed(cpu0, 0x41, false);
	fixed(cpu0, 0x62, false);
	fixed(cpu0, 0x55, false);
	CHECK_EQ_I(take(cpu0), 0x62); /* highest first */
	CHECK(bit(cpu0, REG_ISR, 0x62));
	CHECK(!bit(cpu0, REG_IRR, 0x62));
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0x60);
	CHECK_EQ_I(vlapic_pending(cpu0), -1); /* 0x55: below the class in service */
	fixed(cpu0, 0x6f, false);
	CHECK_EQ_I(vlapic_pending(cpu0), -1); /* same class as in service: held */
	fixed(cpu0, 0x70, false);
	CHECK_EQ_I(take(cpu0), 0x70);         /* a higher class nests */
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0x70);
	wr(cpu0, REG_EOI, 0);                 /* ends 0x70, the highest in service */
	CHECK(!bit(cpu0, REG_ISR, 0x70));
	CHECK(bit(cpu0, REG_ISR, 0x62));
	CHECK_EQ_I(vlapic_pending(cpu0), -1);
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0);
	CHECK_EQ_I(vlapic_pending(cpu0), 0x6f);
	/* The task priority holds back its class and below. */
	wr(cpu0, REG_TPR, 0x60);
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0x60);
	CHECK_EQ_I(vlapic_pending(cpu0), -1);
	wr(cpu0, REG_TPR, 0x5f);
	CHECK_EQ_I(vlapic_pending(cpu0), 0x6f);
	/* PPR: the TPR when its class is at least the in-service class, else that class. */
	CHECK_EQ_I(take(cpu0), 0x6f);
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0x60);
	wr(cpu0, REG_TPR, 0x6a);
	CHECK_EQ_U(rd(cpu0, REG_PPR), 0x6a);
	wr(cpu0, REG_TPR, 0);
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_I(take(cpu0), 0x55);
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_I(take(cpu0), 0x41);
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_I(vlapic_pending(cpu0), -1);
	for (unsigned w = 0; w < 8; w++)
		CHECK_EQ_U(rd(cpu0, REG_ISR + w * 16) | rd(cpu0, REG_IRR + w * 16), 0);
	CHECK_EQ_U(fake_nr_eois, 0); /* all edge */
	teardown();
}

TEST(lapic_eoi_level)
{
	setup();
	sw_enable(cpu0);
	fixed(cpu0, 0x70, true);
	CHECK(bit(cpu0, REG_TMR, 0x70));
	CHECK_EQ_I(take(cpu0), 0x70);
	fixed(cpu0, 0x80, false);
	CHECK(!bit(cpu0, REG_TMR, 0x80));
	CHECK_EQ_I(take(cpu0), 0x80);
	wr(cpu0, REG_EOI, 0); /* edge 0x80: the I/O APIC hears nothing */
	CHECK_EQ_U(fake_nr_eois, 0);
	CHECK(bit(cpu0, REG_ISR, 0x70));
	wr(cpu0, REG_EOI, 0x12345678); /* any value in xAPIC mode */
	CHECK_EQ_U(fake_nr_eois, 1);
	CHECK_EQ_U(fake_eois[0], 0x70);
	CHECK(!bit(cpu0, REG_ISR, 0x70));
	wr(cpu0, REG_EOI, 0); /* nothing in service */
	CHECK_EQ_U(fake_nr_eois, 1);
	/* An edge request for the vector clears its TMR bit again. */
	fixed(cpu0, 0x71, true);
	fixed(cpu0, 0x71, false);
	CHECK(!bit(cpu0, REG_TMR, 0x71));
	CHECK_EQ_I(take(cpu0), 0x71);
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_U(fake_nr_eois, 1);
	/* x2APIC: the EOI MSR takes only 0. */
	msr_wr(cpu0, MSR_BASE, X2APIC);
	fixed(cpu0, 0x72, true);
	CHECK_EQ_I(take(cpu0), 0x72);
	CHECK(msr_wr_gp(cpu0, MSR(REG_EOI), 1));
	CHECK(bit(cpu0, REG_ISR, 0x72));
	CHECK(msr_rd_gp(cpu0, MSR(REG_EOI))); /* write-only */
	msr_wr(cpu0, MSR(REG_EOI), 0);
	CHECK(!bit(cpu0, REG_ISR, 0x72));
	CHECK_EQ_U(fake_nr_eois, 2);
	CHECK_EQ_U(fake_eois[1], 0x72);
	/* Without an I/O APIC the EOI goes nowhere. */
	vm->ioapic = NULL;
	fixed(cpu0, 0x73, true);
	CHECK_EQ_I(take(cpu0), 0x73);
	msr_wr(cpu0, MSR(REG_EOI), 0);
	CHECK_EQ_U(fake_nr_eois, 2);
	teardown();
}

TEST(lapic_illegal_vector)
{
	setup();
	sw_enable(cpu0);
	for (unsigned vec = 0; vec < 16; vec++)
		fixed(cpu0, (uint8_t)vec, false);
	CHECK(irr_empty(cpu0));
	CHECK_EQ_U(rd(cpu0, REG_ESR), 0x40); /* received illegal vector */
	wr(cpu0, REG_ESR, 0);
	CHECK_EQ_U(rd(cpu0, REG_ESR), 0);
	fixed(cpu0, 16, false);
	CHECK_EQ_I(vlapic_pending(cpu0), 16);
	CHECK_EQ_U(rd(cpu0, REG_ESR), 0);
	teardown();
}

/* --- IPIs -------------------------------------------------------------------------- */

TEST(lapic_icr_fixed)
{
	setup();
	sw_enable(cpu0);
	sw_enable(cpu1);
	/* Self, with the level bit: IPIs are edge; delivery status never sticks. */
	wr(cpu0, REG_ICR, SHORT_SELF | ICR_LEVEL | ICR_ASSERT | ICR_BUSY | 0x45);
	CHECK_EQ_U(rd(cpu0, REG_ICR), SHORT_SELF | ICR_LEVEL | ICR_ASSERT | 0x45);
	CHECK(bit(cpu0, REG_IRR, 0x45));
	CHECK(!bit(cpu0, REG_TMR, 0x45));
	CHECK(irr_empty(cpu1));
	CHECK(fake_wakes > 0);
	wr(cpu0, REG_ICR, SHORT_OTHERS | 0x46);
	CHECK(bit(cpu1, REG_IRR, 0x46));
	CHECK(!bit(cpu0, REG_IRR, 0x46));
	wr(cpu0, REG_ICR, SHORT_ALL | 0x47);
	CHECK(bit(cpu0, REG_IRR, 0x47) && bit(cpu1, REG_IRR, 0x47));
	/* Physical destination in ICR2[31:24]; 0xff is everyone. */
	wr(cpu0, REG_ICR2, 0x01000000);
	wr(cpu0, REG_ICR, 0x48);
	CHECK(bit(cpu1, REG_IRR, 0x48) && !bit(cpu0, REG_IRR, 0x48));
	wr(cpu1, REG_ICR2, 0x00000000);
	wr(cpu1, REG_ICR, 0x49);
	CHECK(bit(cpu0, REG_IRR, 0x49) && !bit(cpu1, REG_IRR, 0x49));
	wr(cpu0, REG_ICR2, 0xff000000);
	wr(cpu0, REG_ICR, 0x4a);
	CHECK(bit(cpu0, REG_IRR, 0x4a) && bit(cpu1, REG_IRR, 0x4a));
	wr(cpu0, REG_ICR2, 0x07000000); /* nobody */
	wr(cpu0, REG_ICR, 0x4b);
	CHECK(!bit(cpu0, REG_IRR, 0x4b) && !bit(cpu1, REG_IRR, 0x4b));
	/* Logical, flat model: LDR[31:24] is a bit mask. */
	wr(cpu0, REG_LDR, 0x01000000);
	wr(cpu1, REG_LDR, 0x02000000);
	wr(cpu0, REG_ICR2, 0x02000000);
	wr(cpu0, REG_ICR, ICR_LOGICAL | 0x4c);
	CHECK(bit(cpu1, REG_IRR, 0x4c) && !bit(cpu0, REG_IRR, 0x4c));
	wr(cpu0, REG_ICR2, 0x03000000);
	wr(cpu0, REG_ICR, ICR_LOGICAL | 0x4d);
	CHECK(bit(cpu0, REG_IRR, 0x4d) && bit(cpu1, REG_IRR, 0x4d));
	/* Cluster model: cluster in the high nibble, members in the low one. */
	wr(cpu0, REG_DFR, 0x0fffffff);
	wr(cpu1, REG_DFR, 0x0fffffff);
	wr(cpu0, REG_LDR, 0x31000000);
	wr(cpu1, REG_LDR, 0x32000000);
	wr(cpu0, REG_ICR2, 0x32000000);
	wr(cpu0, REG_ICR, ICR_LOGICAL | 0x4e);
	CHECK(bit(cpu1, REG_IRR, 0x4e) && !bit(cpu0, REG_IRR, 0x4e));
	wr(cpu0, REG_ICR2, 0x23000000); /* another cluster */
	wr(cpu0, REG_ICR, ICR_LOGICAL | 0x4f);
	CHECK(!bit(cpu0, REG_IRR, 0x4f) && !bit(cpu1, REG_IRR, 0x4f));
	/* An illegal vector: the receiver's error. */
	wr(cpu0, REG_ICR2, 0x01000000);
	wr(cpu0, REG_ICR, 0x05);
	CHECK_EQ_U(rd(cpu1, REG_ESR), 0x40);
	CHECK_EQ_U(rd(cpu0, REG_ESR), 0);
	teardown();
}

TEST(lapic_icr_software_disabled_target)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_ICR, SHORT_OTHERS | 0x50); /* cpu1 is software-disabled */
	CHECK(irr_empty(cpu1));
	wr(cpu0, REG_ICR, SHORT_OTHERS | ICR_NMI); /* NMIs still go */
	CHECK(vlapic_take_nmi(cpu1));
	teardown();
}

/* A hardware-disabled APIC takes no IPI, shorthand or not, of any delivery mode. */
TEST(lapic_icr_shorthand_hw_disabled_target)
{
	static const uint32_t shorthands[] = { SHORT_ALL, SHORT_OTHERS };

	setup();
	msr_wr(cpu1, MSR_BASE, 0xfee00000u);
	cpu1->wait_sipi = true; /* so a SIPI would be taken */
	for (unsigned i = 0; i < 2; i++) {
		wr(cpu0, REG_ICR, shorthands[i] | ICR_NMI);
		wr(cpu0, REG_ICR, shorthands[i] | ICR_INIT | ICR_ASSERT);
		wr(cpu0, REG_ICR, shorthands[i] | ICR_SIPI | 0x9a);
		CHECK(!vlapic_wakes(cpu1));
		CHECK(!vlapic_take_nmi(cpu1) && !vlapic_take_init(cpu1));
		CHECK_EQ_I(vlapic_take_sipi(cpu1), -1);
	}
	/* The sender, enabled, takes its own share of "all including self". */
	CHECK(vlapic_take_nmi(cpu0));
	CHECK(vlapic_take_init(cpu0));
	CHECK(!vlapic_take_nmi(cpu0));
	/* Enabled again, cpu1 takes them. */
	msr_wr(cpu1, MSR_BASE, XAPIC);
	wr(cpu0, REG_ICR, SHORT_OTHERS | ICR_NMI);
	CHECK(vlapic_take_nmi(cpu1));
	cpu1->wait_sipi = false;
	teardown();
}

TEST(lapic_self_ipi_msr)
{
	setup();
	sw_enable(cpu0);
	/* xAPIC: the SELF IPI register does not exist; neither do the MSRs. */
	mmio_wr(cpu0, REG_SELF_IPI, 0x51);
	CHECK(irr_empty(cpu0));
	CHECK(msr_wr_gp(cpu0, MSR(REG_SELF_IPI), 0x51));
	CHECK(irr_empty(cpu0));
	msr_wr(cpu0, MSR_BASE, X2APIC);
	msr_wr(cpu0, MSR(REG_SELF_IPI), 0x51);
	CHECK(bit(cpu0, REG_IRR, 0x51));
	CHECK(!bit(cpu0, REG_TMR, 0x51));
	CHECK(msr_rd_gp(cpu0, MSR(REG_SELF_IPI))); /* write-only */
	CHECK_EQ_I(take(cpu0), 0x51);
	CHECK(irr_empty(cpu1));
	/* Like any fixed interrupt, refused while the APIC is software-disabled. */
	wr(cpu0, REG_SVR, 0xff);
	msr_wr(cpu0, MSR(REG_SELF_IPI), 0x52);
	CHECK(!bit(cpu0, REG_IRR, 0x52));
	teardown();
}

TEST(lapic_icr_init_sipi_nmi)
{
	setup();
	wr(cpu0, REG_ICR2, 0x01000000);
	/* SIPI with no INIT before it and the AP not waiting: dropped. */
	wr(cpu0, REG_ICR, ICR_SIPI | 0x9a);
	CHECK_EQ_I(vlapic_take_sipi(cpu1), -1);
	CHECK(!vlapic_wakes(cpu1));
	/* INIT level de-assert: nothing since the Pentium 4. */
	wr(cpu0, REG_ICR, ICR_INIT | ICR_LEVEL);
	CHECK(!vlapic_wakes(cpu1));
	CHECK(!vlapic_take_init(cpu1));
	/* INIT assert, then SIPI: what the exit path takes. */
	wr(cpu0, REG_ICR, ICR_INIT | ICR_ASSERT);
	CHECK(vlapic_wakes(cpu1));
	CHECK(!vlapic_take_init(cpu0));
	wr(cpu0, REG_ICR, ICR_SIPI | 0x9a); /* accepted: an INIT is pending */
	CHECK(vlapic_take_init(cpu1));
	CHECK(!vlapic_take_init(cpu1)); /* once */
	cpu1->wait_sipi = true;         /* as exit.c does on INIT */
	CHECK(vlapic_wakes(cpu1));
	CHECK_EQ_I(vlapic_take_sipi(cpu1), 0x9a);
	CHECK_EQ_I(vlapic_take_sipi(cpu1), -1);
	CHECK(!vlapic_wakes(cpu1));
	/* A waiting AP takes the second SIPI too. */
	wr(cpu0, REG_ICR, ICR_SIPI | 0x10);
	CHECK(vlapic_wakes(cpu1));
	CHECK_EQ_I(vlapic_take_sipi(cpu1), 0x10);
	cpu1->wait_sipi = false;
	/* NMI: a flag, taken once. */
	wr(cpu0, REG_ICR, ICR_NMI);
	CHECK(vlapic_wakes(cpu1));
	CHECK(vlapic_take_nmi(cpu1));
	CHECK(!vlapic_take_nmi(cpu1));
	CHECK(!vlapic_take_nmi(cpu0));
	/* x2APIC: one 64-bit write, the destination in the high half. */
	msr_wr(cpu0, MSR_BASE, X2APIC);
	msr_wr(cpu0, MSR(REG_ICR), 1ull << 32 | ICR_INIT | ICR_ASSERT);
	CHECK_EQ_U(msr_rd(cpu0, MSR(REG_ICR)), 1ull << 32 | ICR_INIT | ICR_ASSERT);
	CHECK(vlapic_take_init(cpu1));
	CHECK(!vlapic_take_init(cpu0));
	msr_wr(cpu0, MSR(REG_ICR), 0xffffffffull << 32 | ICR_NMI); /* broadcast */
	CHECK(vlapic_take_nmi(cpu0) && vlapic_take_nmi(cpu1));
	teardown();
}

/* --- x2APIC and the APIC base MSR -------------------------------------------------- */

TEST(lapic_x2apic_registers)
{
	static const unsigned no_write[] = { REG_ID, REG_VER, REG_PPR, REG_LDR, REG_DFR, REG_ICR2,
					     REG_TMCCT, 0x010, REG_ISR, REG_TMR + 0x10,
					     REG_IRR + 0x70, 0xff0 };

	setup();
	/* xAPIC mode: every x2APIC MSR faults. */
	CHECK(msr_rd_gp(cpu1, MSR(REG_ID)));
	CHECK(msr_rd_gp(cpu1, MSR(REG_TPR)));
	CHECK(msr_wr_gp(cpu1, MSR(REG_TPR), 0x20));
	CHECK(msr_wr_gp(cpu1, MSR(REG_EOI), 0));
	/* Neighbours of the range are not the APIC's. */
	CHECK(msr_rd_gp(cpu1, 0x7ff) && msr_rd_gp(cpu1, 0x900));
	CHECK(msr_wr_gp(cpu1, 0x7ff, 0) && msr_wr_gp(cpu1, 0x900, 0));
	msr_wr(cpu1, MSR_BASE, X2APIC);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), X2APIC);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_ID)), 1); /* the whole 32-bit ID */
	/* Logical ID: cluster ID[19:4] in [31:16], bit ID[3:0] in [15:0]. */
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_LDR)), 1u << 1);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_VER)) & 0xff, 0x14);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_SVR)), 0xff);
	msr_wr(cpu1, MSR(REG_TPR), 0x20);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TPR)), 0x20);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_PPR)), 0x20);
	for (unsigned i = 0; i < sizeof(no_write) / sizeof(no_write[0]); i++)
		CHECK(msr_wr_gp(cpu1, MSR(no_write[i]), 0));
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_ID)), 1);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_LDR)), 2);
	CHECK(msr_rd_gp(cpu1, MSR(0x010))); /* reserved */
	CHECK(msr_rd_gp(cpu1, 0x8ff));
	/* The MMIO page is not this vCPU's any more: reads 0, writes ignored. */
	CHECK_EQ_U(mmio_rd(cpu1, REG_TPR), 0);
	CHECK_EQ_U(mmio_rd(cpu1, REG_VER), 0);
	mmio_wr(cpu1, REG_TPR, 0x30);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TPR)), 0x20);
	/* ... while cpu0, still in xAPIC mode, uses it as before. */
	mmio_wr(cpu0, REG_TPR, 0x30);
	CHECK_EQ_U(mmio_rd(cpu0, REG_TPR), 0x30);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TPR)), 0x20);
	teardown();
}

/*
 * Every MSR of 0x800-0x8ff in x2APIC mode, as the SDM's "Local APIC
 * Register Address Map Supported by x2APIC" lists them: RDMSR of a
 * write-only or unlisted MSR and WRMSR of a read-only or unlisted one #GP.
 * APR (0x809), DFR (0x80e) and ICR2 (0x831) have no MSR.
 */
TEST(lapic_x2apic_msr_map)
{
	enum { RO = 1, WO = 2, RW = 3 };
	static const struct { unsigned off, n, rw; } map[] = {
		{ REG_ID, 1, RO }, { REG_VER, 1, RO }, { REG_TPR, 1, RW }, { REG_PPR, 1, RO },
		{ REG_EOI, 1, WO }, { REG_LDR, 1, RO }, { REG_SVR, 1, RW }, { REG_ISR, 8, RO },
		{ REG_TMR, 8, RO }, { REG_IRR, 8, RO }, { REG_ESR, 1, RW }, { REG_CMCI, 1, RW },
		{ REG_ICR, 1, RW }, { REG_TIMER, 6, RW }, { REG_TMICT, 1, RW }, { REG_TMCCT, 1, RO },
		{ REG_TDCR, 1, RW }, { REG_SELF_IPI, 1, WO },
	};

	setup();
	msr_wr(cpu1, MSR_BASE, X2APIC);
	for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
		unsigned rw = 0;

		for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (msr >= MSR(map[i].off) && msr < MSR(map[i].off) + map[i].n)
				rw = map[i].rw;
		CHECK_EQ_I(msr_rd_gp(cpu1, msr), !(rw & RO));
		if (!(rw & WO)) /* (the writable ones are tested register by register) */
			CHECK(msr_wr_gp(cpu1, msr, 0));
	}
	CHECK(msr_rd_gp(cpu1, 0x809) && msr_rd_gp(cpu1, 0x80e) && msr_rd_gp(cpu1, 0x831));
	CHECK(msr_wr_gp(cpu1, 0x809, 0) && msr_wr_gp(cpu1, 0x80e, 0) && msr_wr_gp(cpu1, 0x831, 0));
	/* ESR, like EOI: "WRMSR of a non-zero value causes #GP(0)". */
	sw_enable(cpu1);
	fixed(cpu1, 0x05, false); /* a receive illegal vector error */
	CHECK(msr_wr_gp(cpu1, MSR(REG_ESR), 0x40));
	CHECK(msr_wr_gp(cpu1, MSR(REG_ESR), 1ull << 32));
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_ESR)), 0x40);
	msr_wr(cpu1, MSR(REG_ESR), 0);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_ESR)), 0);
	/* In xAPIC mode the MMIO APR, DFR and ICR2 are still there. */
	CHECK_EQ_U(mmio_rd(cpu0, 0x090), 0);
	CHECK_EQ_U(mmio_rd(cpu0, REG_DFR), 0xffffffffu);
	mmio_wr(cpu0, REG_ICR2, 0x01000000);
	CHECK_EQ_U(mmio_rd(cpu0, REG_ICR2), 0x01000000);
	teardown();
}

TEST(lapic_x2apic_match)
{
	struct apic_msg m = { .mode = APIC_DM_FIXED, .vector = 0x60 };

	setup();
	msr_wr(cpu1, MSR_BASE, X2APIC);
	m.dest = 1;
	CHECK(vlapic_match(cpu1, &m));
	m.dest = 0x101; /* 32-bit IDs: no truncation to 8 bits */
	CHECK(!vlapic_match(cpu1, &m));
	m.dest = 0x100; /* the xAPIC looks at 8 bits */
	CHECK(vlapic_match(cpu0, &m));
	CHECK(!vlapic_match(cpu1, &m));
	m.dest = 0xff;                  /* not a broadcast in x2APIC mode */
	CHECK(!vlapic_match(cpu1, &m));
	m.dest = 0xffffffff;
	CHECK(vlapic_match(cpu1, &m));
	m.logical = true;
	m.dest = 0x00000002; /* cluster 0, member bit 1 */
	CHECK(vlapic_match(cpu1, &m));
	m.dest = 0x00010002; /* cluster 1 */
	CHECK(!vlapic_match(cpu1, &m));
	m.dest = 0x00000001;
	CHECK(!vlapic_match(cpu1, &m));
	teardown();
}

TEST(lapic_base_msr_transitions)
{
	setup();
	/* BSP is read-only; reserved bits, a moved base and EXTD without EN fault. */
	msr_wr(cpu1, MSR_BASE, XAPIC | BASE_BSP);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), XAPIC);
	msr_wr(cpu0, MSR_BASE, XAPIC);
	CHECK_EQ_U(msr_rd(cpu0, MSR_BASE), XAPIC | BASE_BSP);
	CHECK(msr_wr_gp(cpu1, MSR_BASE, XAPIC | 1));
	CHECK(msr_wr_gp(cpu1, MSR_BASE, XAPIC | 1u << 9));
	CHECK(msr_wr_gp(cpu1, MSR_BASE, XAPIC | 1ull << 40));
	CHECK(msr_wr_gp(cpu1, MSR_BASE, 0xfed00000u | BASE_EN));
	CHECK(msr_wr_gp(cpu1, MSR_BASE, 0xfee00000u | BASE_EXTD));
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), XAPIC);
	/* xAPIC -> x2APIC -> (not xAPIC) -> disabled -> (not x2APIC) -> xAPIC. */
	sw_enable(cpu1);
	wr(cpu1, REG_TPR, 0x40);
	msr_wr(cpu1, MSR_BASE, X2APIC);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TPR)), 0x40); /* the state carries over */
	fixed(cpu1, 0x90, false);
	CHECK(msr_wr_gp(cpu1, MSR_BASE, XAPIC));
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), X2APIC);
	msr_wr(cpu1, MSR_BASE, 0xfee00000u);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), 0xfee00000u);
	CHECK(irr_empty(cpu1)); /* back to the power-on state */
	CHECK_EQ_I(vlapic_pending(cpu1), -1);
	CHECK(msr_rd_gp(cpu1, MSR(REG_TPR)));
	CHECK_EQ_U(mmio_rd(cpu1, REG_SVR), 0); /* the page is gone too */
	CHECK(vlapic_takes_extint(cpu1));
	/* A disabled APIC is nobody's destination. */
	wr(cpu0, REG_ICR2, 0x01000000);
	wr(cpu0, REG_ICR, ICR_NMI);
	CHECK(!vlapic_take_nmi(cpu1));
	CHECK(msr_wr_gp(cpu1, MSR_BASE, X2APIC)); /* disabled -> x2APIC is illegal */
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), 0xfee00000u);
	msr_wr(cpu1, MSR_BASE, XAPIC);
	CHECK_EQ_U(rd(cpu1, REG_TPR), 0);
	CHECK_EQ_U(rd(cpu1, REG_SVR), 0xff);
	CHECK_EQ_U(rd(cpu1, REG_LDR), 0);
	CHECK_EQ_U(rd(cpu1, REG_DFR), 0xffffffffu);
	CHECK_EQ_U(rd(cpu1, REG_ID), 1u << 24); /* the ID survives */
	/* Now x2APIC is reachable again, with a fresh logical ID. */
	msr_wr(cpu1, MSR_BASE, X2APIC);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_LDR)), 2);
	teardown();
}

/* INIT (vlapic_reset) keeps the APIC's mode; power-on (device reset) does not. */
TEST(lapic_init_and_power_on)
{
	setup();
	sw_enable(cpu1);
	msr_wr(cpu1, MSR_BASE, X2APIC);
	msr_wr(cpu1, MSR(REG_TPR), 0x20);
	msr_wr(cpu1, MSR(REG_TMICT), 1000);
	fixed(cpu1, 0x60, true);
	vlapic_accept(cpu1, &(struct apic_msg){ .mode = APIC_DM_NMI });
	vlapic_reset(cpu1);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), X2APIC);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_ID)), 1);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_LDR)), 2);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TPR)), 0);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_SVR)), 0xff);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TMICT)), 0);
	CHECK_EQ_U(msr_rd(cpu1, MSR(REG_TIMER)), MASKED);
	CHECK_EQ_U(cpu1->lapic->timer.deadline, 0);
	CHECK(irr_empty(cpu1));
	CHECK(vlapic_wakes(cpu1)); /* requests in flight stay */
	/* INIT in the disabled state stays disabled; in xAPIC mode, xAPIC. */
	msr_wr(cpu1, MSR_BASE, 0xfee00000u);
	vlapic_reset(cpu1);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), 0xfee00000u);
	msr_wr(cpu1, MSR_BASE, XAPIC);
	vlapic_reset(cpu1);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), XAPIC);
	vlapic_reset(cpu0);
	CHECK_EQ_U(msr_rd(cpu0, MSR_BASE), XAPIC | BASE_BSP);
	CHECK_EQ_U(rd(cpu0, REG_LINT0), 0x700);
	/* Power-on: xAPIC again, requests forgotten. */
	msr_wr(cpu1, MSR_BASE, X2APIC);
	wr(cpu0, REG_ICR2, 0x01000000);
	wr(cpu0, REG_ICR, ICR_INIT | ICR_ASSERT);
	CHECK(vlapic_wakes(cpu1));
	lapic_ops.reset(&vm->devs[0]);
	CHECK_EQ_U(msr_rd(cpu1, MSR_BASE), XAPIC);
	CHECK(!vlapic_wakes(cpu1));
	CHECK(!vlapic_take_nmi(cpu1) && !vlapic_take_init(cpu1));
	teardown();
}

TEST(lapic_extint)
{
	setup();
	sw_enable(cpu0);
	sw_enable(cpu1);
	CHECK(vlapic_takes_extint(cpu0)); /* LINT0 in ExtINT mode */
	CHECK(!vlapic_takes_extint(cpu1)); /* LINT0 masked */
	wr(cpu0, REG_LINT0, MASKED | 0x700);
	CHECK(!vlapic_takes_extint(cpu0));
	wr(cpu0, REG_LINT0, 0x000); /* fixed mode */
	CHECK(!vlapic_takes_extint(cpu0));
	wr(cpu1, REG_LINT0, 0x700);
	CHECK(vlapic_takes_extint(cpu1));
	teardown();
}

/* --- the timer ------------------------------------------------------------------------ */

TEST(lapic_timer_oneshot)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TDCR, 0x0); /* divide by 2 */
	wr(cpu0, REG_TIMER, 0x61);
	wr(cpu0, REG_TMICT, 1000); /* 1000 counts: 2000 crystal ticks, 6000 TSC ticks */
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 1000);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 1000);
	fake_tsc += 3000;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 500);
	fake_tsc += 2999;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0); /* 1/3 of a count left */
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), TSC0 + 6000);
	CHECK(irr_empty(cpu0));
	/* Expired but not fired yet: the count stays at 0, it does not start over. */
	fake_tsc = TSC0 + 6000;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	fake_tsc = TSC0 + 6001;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0); /* fired, not re-armed */
	CHECK_EQ_I(take(cpu0), 0x61);
	CHECK(!bit(cpu0, REG_TMR, 0x61)); /* the timer is edge */
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 1000);
	fake_tsc += 100000;
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0);
	CHECK(irr_empty(cpu0)); /* once */
	/* Writing 0 stops it. */
	wr(cpu0, REG_TMICT, 10);
	wr(cpu0, REG_TMICT, 0);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	fake_tsc += 100000;
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0);
	CHECK(irr_empty(cpu0));
	/* Masked: counts down and expires, raises nothing. */
	wr(cpu0, REG_TIMER, MASKED | 0x61);
	wr(cpu0, REG_TMICT, 10);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 10);
	fake_tsc += 60;
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0);
	CHECK(irr_empty(cpu0));
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	teardown();
}

TEST(lapic_timer_periodic)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TDCR, 0xb); /* divide by 1 */
	wr(cpu0, REG_TIMER, PERIODIC | 0x62);
	wr(cpu0, REG_TMICT, 100); /* period: 300 TSC ticks */
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 299), TSC0 + 300);
	CHECK(irr_empty(cpu0));
	fake_tsc = TSC0 + 300;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 100); /* reloads at 0 */
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), TSC0 + 600);
	CHECK_EQ_I(take(cpu0), 0x62);
	wr(cpu0, REG_EOI, 0);
	fake_tsc = TSC0 + 450;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 50);
	/* Late by 5.5 periods: one interrupt, and the phase is kept. */
	fake_tsc = TSC0 + 2250;
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), TSC0 + 2400);
	CHECK_EQ_I(take(cpu0), 0x62);
	CHECK_EQ_I(vlapic_pending(cpu0), -1);
	wr(cpu0, REG_EOI, 0);
	fake_tsc = TSC0 + 2400 - 75;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 25);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 2400), TSC0 + 2700);
	CHECK_EQ_I(take(cpu0), 0x62);
	wr(cpu0, REG_EOI, 0);
	/* Into TSC-deadline mode: stopped. */
	wr(cpu0, REG_TIMER, DEADLINE | 0x62);
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 0);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 100000), 0);
	CHECK(irr_empty(cpu0));
	teardown();
}

/* One-shot <-> periodic keeps the count running; only into or out of TSC-deadline stops it. */
TEST(lapic_timer_mode_switch)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TDCR, 0xb); /* divide by 1: 3 TSC ticks a count */
	wr(cpu0, REG_TIMER, 0x68);
	wr(cpu0, REG_TMICT, 100);
	/* One-shot -> periodic mid-count: the count goes on, then reloads. */
	fake_tsc = TSC0 + 120;
	wr(cpu0, REG_TIMER, PERIODIC | 0x68);
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 100);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 60);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 300), TSC0 + 600);
	CHECK_EQ_I(take(cpu0), 0x68);
	wr(cpu0, REG_EOI, 0);
	/* Periodic -> one-shot mid-period: this period runs out, once. */
	fake_tsc = TSC0 + 450;
	wr(cpu0, REG_TIMER, 0x68);
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 100);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 50);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 600), 0);
	CHECK_EQ_I(take(cpu0), 0x68);
	wr(cpu0, REG_EOI, 0);
	fake_tsc = TSC0 + 700;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	/* A one-shot count that ran out (not fired yet) stays at 0 in periodic mode. */
	wr(cpu0, REG_TMICT, 10);
	fake_tsc += 40;
	wr(cpu0, REG_TIMER, PERIODIC | 0x69);
	CHECK_EQ_I(take(cpu0), 0x68); /* raised under the entry it expired under */
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 100000), 0);
	CHECK(irr_empty(cpu0));
	/* Out of periodic into TSC-deadline, and back: stopped both times. */
	wr(cpu0, REG_TMICT, 10);
	wr(cpu0, REG_TIMER, DEADLINE | 0x69);
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 100000), 0);
	msr_wr(cpu0, MSR_DEADLINE, fake_tsc + 10);
	wr(cpu0, REG_TIMER, PERIODIC | 0x69);
	CHECK_EQ_U(msr_rd(cpu0, MSR_DEADLINE), 0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 100000), 0);
	CHECK(irr_empty(cpu0));
	teardown();
}

TEST(lapic_timer_divide)
{
	/* SDM: "Divide Configuration Register", bits 3, 1, 0. */
	static const struct { uint32_t tdcr, div; } cfg[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TIMER, 0x63);
	for (unsigned i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		uint64_t t0 = fake_tsc, period = 1000ull * cfg[i].div * TICKS;

		wr(cpu0, REG_TDCR, cfg[i].tdcr | 0xf0); /* the other bits are reserved */
		CHECK_EQ_U(rd(cpu0, REG_TDCR), cfg[i].tdcr);
		wr(cpu0, REG_TMICT, 1000);
		fake_tsc = t0 + 10ull * cfg[i].div * TICKS;
		CHECK_EQ_U(rd(cpu0, REG_TMCCT), 990);
		CHECK_EQ_U(vtimer_run(cpu0, t0 + period - 1), t0 + period);
		CHECK(irr_empty(cpu0));
		fake_tsc = t0 + period;
		CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0);
		CHECK_EQ_I(take(cpu0), 0x63);
		wr(cpu0, REG_EOI, 0);
	}
	teardown();
}

/* A new divider while counting: the counts left stay and go on at the new rate. */
TEST(lapic_timer_divide_while_running)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TDCR, 0x0); /* divide by 2: 6 TSC ticks a count */
	wr(cpu0, REG_TIMER, 0x6a);
	wr(cpu0, REG_TMICT, 1000);
	fake_tsc = TSC0 + 2400;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 600);
	wr(cpu0, REG_TDCR, 0xb); /* divide by 1: 3 TSC ticks a count */
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 600); /* not 1200, above the initial count */
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 1000);
	fake_tsc += 900;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 300);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), TSC0 + 3300 + 900);
	wr(cpu0, REG_TDCR, 0xa); /* divide by 128: 384 TSC ticks a count */
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 300);
	fake_tsc += 384 * 100;
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 200);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 384 * 200 - 1), fake_tsc + 384 * 200);
	CHECK(irr_empty(cpu0));
	fake_tsc += 384 * 200;
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0);
	CHECK_EQ_I(take(cpu0), 0x6a);
	wr(cpu0, REG_EOI, 0);
	/* Periodic: the period in progress ends at the new rate, the next ones are whole. */
	wr(cpu0, REG_TDCR, 0xb);
	wr(cpu0, REG_TIMER, PERIODIC | 0x6a);
	wr(cpu0, REG_TMICT, 100); /* 300 TSC ticks */
	fake_tsc += 150;
	wr(cpu0, REG_TDCR, 0x0); /* 50 counts left: 300 TSC ticks at 6 a count */
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 50);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 299), fake_tsc + 300);
	fake_tsc += 300;
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), fake_tsc + 600);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 100);
	CHECK_EQ_I(take(cpu0), 0x6a);
	/* Stopped: a new divider starts nothing. */
	wr(cpu0, REG_TMICT, 0);
	wr(cpu0, REG_TDCR, 0xb);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 100000), 0);
	teardown();
}

TEST(lapic_timer_tsc_deadline)
{
	setup();
	sw_enable(cpu0);
	/* Not in TSC-deadline mode: the MSR reads 0 and writes are ignored. */
	msr_wr(cpu0, MSR_DEADLINE, TSC0 + 10);
	CHECK_EQ_U(msr_rd(cpu0, MSR_DEADLINE), 0);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 10), 0);
	wr(cpu0, REG_TIMER, DEADLINE | 0x64);
	msr_wr(cpu0, MSR_DEADLINE, TSC0 + 500);
	CHECK_EQ_U(msr_rd(cpu0, MSR_DEADLINE), TSC0 + 500);
	wr(cpu0, REG_TMICT, 1234); /* ignored in this mode */
	CHECK_EQ_U(rd(cpu0, REG_TMICT), 0);
	CHECK_EQ_U(rd(cpu0, REG_TMCCT), 0);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 499), TSC0 + 500);
	CHECK(irr_empty(cpu0));
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 500), 0);
	CHECK_EQ_I(take(cpu0), 0x64);
	wr(cpu0, REG_EOI, 0);
	CHECK_EQ_U(msr_rd(cpu0, MSR_DEADLINE), 0); /* cleared when it fires */
	/* Writing 0 disarms. */
	msr_wr(cpu0, MSR_DEADLINE, TSC0 + 1000);
	msr_wr(cpu0, MSR_DEADLINE, 0);
	CHECK_EQ_U(msr_rd(cpu0, MSR_DEADLINE), 0);
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 100000), 0);
	CHECK(irr_empty(cpu0));
	/* A deadline in the past fires at once. */
	fake_tsc = TSC0 + 200000;
	msr_wr(cpu0, MSR_DEADLINE, TSC0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc), 0);
	CHECK_EQ_I(take(cpu0), 0x64);
	wr(cpu0, REG_EOI, 0);
	/* Leaving the mode disarms. */
	msr_wr(cpu0, MSR_DEADLINE, fake_tsc + 100);
	wr(cpu0, REG_TIMER, 0x64);
	CHECK_EQ_U(msr_rd(cpu0, MSR_DEADLINE), 0);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 1000), 0);
	CHECK(irr_empty(cpu0));
	/* Through x2APIC, the same. */
	msr_wr(cpu0, MSR_BASE, X2APIC);
	msr_wr(cpu0, MSR(REG_TIMER), DEADLINE | 0x65);
	msr_wr(cpu0, MSR_DEADLINE, fake_tsc + 7);
	CHECK_EQ_U(vtimer_run(cpu0, fake_tsc + 7), 0);
	CHECK_EQ_I(take(cpu0), 0x65);
	teardown();
}

TEST(lapic_timer_software_disabled)
{
	setup();
	sw_enable(cpu0);
	wr(cpu0, REG_TDCR, 0xb);
	wr(cpu0, REG_TIMER, PERIODIC | 0x66);
	wr(cpu0, REG_TMICT, 10);
	wr(cpu0, REG_SVR, 0xff); /* masks the timer, which keeps counting */
	CHECK_EQ_U(vtimer_run(cpu0, TSC0 + 30), TSC0 + 60);
	CHECK(irr_empty(cpu0));
	teardown();
}

/* --- hostile accesses ----------------------------------------------------------------- */

TEST(lapic_mmio_odd_accesses)
{
	static const unsigned sizes[] = { 1, 2, 8 };
	static struct vcpu stranger;
	static struct vm other;
	uint64_t x;

	setup();
	sw_enable(cpu0);
	mmio_wr(cpu0, REG_TPR, 0x20);
	/* Only aligned 32-bit accesses reach a register. */
	for (unsigned i = 0; i < 3; i++) {
		x = ~0ull;
		CHECK_EQ_I(fake_mmio(cpu0, REG_TPR, sizes[i], false, &x), 0);
		CHECK_EQ_U(x, 0);
		x = 0x50;
		CHECK_EQ_I(fake_mmio(cpu0, REG_TPR, sizes[i], true, &x), 0);
	}
	for (unsigned off = REG_TPR + 1; off < REG_TPR + 16; off++) {
		x = ~0ull;
		CHECK_EQ_I(fake_mmio(cpu0, off, off & 1 ? 1 : 4, false, &x), 0);
		CHECK_EQ_U(x, 0);
		x = 0x60;
		CHECK_EQ_I(fake_mmio(cpu0, off, 4, true, &x), 0);
	}
	CHECK_EQ_U(mmio_rd(cpu0, REG_TPR), 0x20);
	/* Reserved registers read 0. */
	CHECK_EQ_U(mmio_rd(cpu0, 0x000), 0);
	CHECK_EQ_U(mmio_rd(cpu0, 0x0c0), 0);
	CHECK_EQ_U(mmio_rd(cpu0, REG_SELF_IPI), 0);
	CHECK_EQ_U(mmio_rd(cpu0, 0xff0), 0);
	/* Past the page's end: no device. */
	x = 0;
	CHECK_EQ_I(fake_mmio(cpu0, 0xffe, 4, false, &x), -ENODEV);
	CHECK_EQ_I(fake_mmio(cpu0, 0xff8, 8, true, &x), 0);
	/* No vCPU on this CPU (not an exit of this VM): nothing to route to. */
	fake_current = NULL;
	x = ~0ull;
	CHECK_EQ_I(bus_access(&vm->mmio, LAPIC_BASE + REG_TPR, 4, false, &x), 0);
	CHECK_EQ_U(x, 0);
	x = 0x70;
	CHECK_EQ_I(bus_access(&vm->mmio, LAPIC_BASE + REG_TPR, 4, true, &x), 0);
	CHECK_EQ_U(mmio_rd(cpu0, REG_TPR), 0x20);
	/* Nor when the vCPU on this CPU belongs to another VM. */
	stranger.vm = &other;
	stranger.lapic = cpu0->lapic;
	fake_current = &stranger;
	x = ~0ull;
	CHECK_EQ_I(bus_access(&vm->mmio, LAPIC_BASE + REG_TPR, 4, false, &x), 0);
	CHECK_EQ_U(x, 0);
	x = 0x70;
	CHECK_EQ_I(bus_access(&vm->mmio, LAPIC_BASE + REG_TPR, 4, true, &x), 0);
	CHECK_EQ_U(mmio_rd(cpu0, REG_TPR), 0x20);
	teardown();
}

TEST(lapic_mmio_sweep)
{
	setup();
	/* Every register, every bit set, from both vCPUs: nothing breaks. */
	for (unsigned i = 0; i < 2; i++)
		for (unsigned off = 0; off < 0x1000; off += 4) {
			uint64_t x = ~0ull;

			CHECK_EQ_I(fake_mmio(vm->vcpus[i], off, 4, false, &x), 0);
			CHECK_EQ_U(x >> 32, 0);
			x = ~0ull;
			CHECK_EQ_I(fake_mmio(vm->vcpus[i], off, 4, true, &x), 0);
		}
	for (unsigned i = 0; i < 2; i++) {
		struct vcpu *v = vm->vcpus[i];

		CHECK_EQ_U(rd(v, REG_ID), i << 24);
		CHECK_EQ_U(rd(v, REG_SVR), 0x13ff);
		CHECK_EQ_U(rd(v, REG_TDCR), 0xb);
		CHECK(rd(v, REG_PPR) <= 0xff);
		CHECK_EQ_U(v->lapic->irr[0] & 0xffff, 0);
		CHECK_EQ_U(msr_rd(v, MSR_BASE) & ~(uint64_t)BASE_BSP, XAPIC);
	}
	fake_tsc += 1ull << 45;
	for (unsigned i = 0; i < 2; i++)
		(void)vtimer_run(vm->vcpus[i], fake_tsc);
	teardown();
}

/* --- life cycle and clock ------------------------------------------------------------- */

TEST(lapic_create_failures)
{
	struct vtimer others[VCPU_MAX_TIMERS] = { 0 };
	struct vdev squatter = { 0 };
	int err;

	/* The page is taken: nothing is left behind (ASan reports leaks). */
	vm = fake_vm_create(2, TEST_CLOCK, &err);
	CHECK_EQ_I(err, 0);
	lapic_ops.destroy(&vm->devs[0]);
	CHECK(!vm->vcpus[0]->lapic && !vm->vcpus[1]->lapic);
	CHECK_EQ_I(lapic_ops.create(&vm->devs[0]), -EEXIST);
	CHECK(!vm->vcpus[0]->lapic && !vm->vcpus[1]->lapic);
	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++)
		CHECK(!vm->vcpus[0]->timers[i] && !vm->vcpus[1]->timers[i]);
	/* vCPU 1 has no timer slot left. */
	bus_init(&vm->mmio, "mmio");
	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++)
		vm->vcpus[1]->timers[i] = &others[i];
	CHECK_EQ_I(lapic_ops.create(&vm->devs[0]), -ENOSPC);
	CHECK(!vm->vcpus[0]->lapic && !vm->vcpus[1]->lapic);
	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++) {
		CHECK(!vm->vcpus[0]->timers[i]);
		CHECK(vm->vcpus[1]->timers[i] == &others[i]);
	}
	CHECK_EQ_U(vm->mmio.n, 0);
	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++)
		vm->vcpus[1]->timers[i] = NULL;
	CHECK_EQ_I(bus_add(&vm->mmio, LAPIC_BASE + 0xff0, 0x10, &squatter, 0), 0);
	CHECK_EQ_I(lapic_ops.create(&vm->devs[0]), -EEXIST);
	bus_init(&vm->mmio, "mmio");
	CHECK_EQ_I(lapic_ops.create(&vm->devs[0]), 0);
	CHECK(vm->vcpus[1]->lapic && vm->vcpus[1]->timers[0] == &vm->vcpus[1]->lapic->timer);
	teardown();
}

TEST(lapic_no_lapic)
{
	struct vcpu bare = { .id = 3 };
	uint64_t x;

	/* A vCPU without a local APIC: the MSRs fault, nothing is pending. */
	CHECK_EQ_I(vlapic_rdmsr(&bare, MSR_BASE, &x), -1);
	CHECK_EQ_I(vlapic_wrmsr(&bare, MSR_BASE, XAPIC), -1);
	CHECK_EQ_I(vlapic_pending(&bare), -1);
	CHECK(vlapic_takes_extint(&bare));
	CHECK(!vlapic_take_nmi(&bare) && !vlapic_take_init(&bare) && !vlapic_wakes(&bare));
	CHECK_EQ_I(vlapic_take_sipi(&bare), -1);
}

/* The clock is exact: crystal * num / den is the TSC frequency, to the Hz. */
TEST(lapic_clock_exact)
{
	static const uint64_t khz[] = { 3000000, 2112345, 5000000, 4294968 };

	for (unsigned i = 0; i < sizeof(khz) / sizeof(khz[0]); i++) {
		const struct vlapic_clock *c;

		clock = (struct vlapic_clock){ 0 };
		fake_tsc_khz = khz[i];
		c = vlapic_clock();
		CHECK(c->hz && c->num && c->den);
		CHECK_EQ_U((uint64_t)c->hz * c->num, khz[i] * 1000 * c->den);
		fake_tsc_khz = 1000; /* the first answer stays */
		CHECK(vlapic_clock() == c);
		CHECK_EQ_U((uint64_t)c->hz * c->num, khz[i] * 1000 * c->den);
	}
	fake_tsc_khz = 3000000;
}
