// SPDX-License-Identifier: MIT
/*
 * The local APICs (see vlapic.h): one per vCPU, behind one device that
 * claims the xAPIC page at 0xfee00000 for the whole VM and routes each
 * access to the APIC of the vCPU making it.
 *
 * Who touches what: a vCPU's registers are written only on its own
 * physical CPU (its exits, its timer); other CPUs only set request bits
 * (IRR, TMR: atomic ORs) and flags (NMI, INIT, SIPI), then kick it.
 *
 * The timer counts at the crystal clock the guest's CPUID leaf 0x15
 * describes (vlapic_clock), so Linux's lapic_timer_period from that leaf
 * is right.
 */
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/tsc.h"
#include "vmm/dev/devices.h"
#include "vmm/sched.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

/* xAPIC register offsets (x2APIC MSR = 0x800 + offset / 16). */
#define R_ID      0x020
#define R_VER     0x030
#define R_TPR     0x080
#define R_APR     0x090
#define R_PPR     0x0a0
#define R_EOI     0x0b0
#define R_RRD     0x0c0
#define R_LDR     0x0d0
#define R_DFR     0x0e0
#define R_SVR     0x0f0
#define R_ISR     0x100
#define R_TMR     0x180
#define R_IRR     0x200
#define R_ESR     0x280
#define R_LVT_CMCI 0x2f0
#define R_ICR     0x300
#define R_ICR2    0x310
#define R_LVT_TIMER 0x320
#define R_LVT_LINT1 0x360
#define R_LVT_ERROR 0x370
#define R_TMICT   0x380
#define R_TMCCT   0x390
#define R_TDCR    0x3e0
#define R_SELF_IPI 0x3f0 /* x2APIC only */

/* LVT index: (offset - 0x320) / 16 for timer..error; CMCI kept apart. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, NR_LVT };

#define LVT_MASKED      (1u << 16)
#define LVT_LEVEL       (1u << 15)
#define LVT_DM(x)       (((x) >> 8) & 7)
#define TIMER_MODE(x)   (((x) >> 17) & 3)
#define TIMER_ONESHOT   0
#define TIMER_PERIODIC  1
#define TIMER_DEADLINE  2
#define SVR_ENABLE      (1u << 8)
#define APIC_VERSION    (0x14u | (NR_LVT << 16)) /* max LVT entry 6: the six above and CMCI */
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER     (1u << 15)
#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_SHORTHAND(x) (((x) >> 18) & 3)

#define MSR_APIC_BASE     0x01b
#define MSR_TSC_DEADLINE  0x6e0
#define MSR_X2APIC_FIRST  0x800
#define MSR_X2APIC_LAST   0x8ff
#define APIC_BASE_BSP     (1ull << 8)
#define APIC_BASE_X2APIC  (1ull << 10)
#define APIC_BASE_ENABLE  (1ull << 11)

struct vlapic {
	struct vcpu *vcpu;
	uint32_t id;
	uint64_t base_msr;
	uint32_t tpr, ldr, dfr, svr, esr, icr_lo, icr_hi, tmict, tdcr;
	uint32_t lvt[NR_LVT], lvt_cmci;
	uint32_t irr[8], isr[8], tmr[8]; /* bit v of the 256: word v/32 */
	/* timer */
	struct vtimer timer;
	uint64_t start;      /* TSC when the count was loaded */
	uint64_t period;     /* TSC ticks of a whole count (tmict * divisor) */
	uint64_t tsc_deadline;
	/* requests from other CPUs */
	volatile bool nmi, init;
	volatile int sipi; /* vector, -1 none */
};

/* TSC ticks per timer count (before the divider) = num / den; set at the first create. */
static struct vlapic_clock clock;

static void timer_fire(struct vtimer *t, uint64_t now);

static struct vlapic *lapic_of(struct vcpu *v)
{
	return v->lapic;
}

static bool x2apic(const struct vlapic *a)
{
	return a->base_msr & APIC_BASE_X2APIC;
}

static bool hw_enabled(const struct vlapic *a)
{
	return a->base_msr & APIC_BASE_ENABLE;
}

static bool sw_enabled(const struct vlapic *a)
{
	return hw_enabled(a) && (a->svr & SVR_ENABLE);
}

/* SDM Vol. 3A, "Logical Destination Mode in x2APIC Mode": cluster ID[19:4], bit ID[3:0]. */
static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* --- 256-bit registers --- */

static void bit_set(uint32_t *r, unsigned v)
{
	__atomic_or_fetch(&r[v / 32], 1u << (v % 32), __ATOMIC_SEQ_CST);
}

static void bit_clear(uint32_t *r, unsigned v)
{
	__atomic_and_fetch(&r[v / 32], ~(1u << (v % 32)), __ATOMIC_SEQ_CST);
}

static bool bit_test(const uint32_t *r, unsigned v)
{
	return __atomic_load_n(&r[v / 32], __ATOMIC_SEQ_CST) & (1u << (v % 32));
}

/* The highest set bit, -1 none. */
static int highest(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = __atomic_load_n(&r[i], __ATOMIC_SEQ_CST);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static uint32_t ppr(const struct vlapic *a)
{
	int isr = highest(a->isr);
	uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr & 0xf0;

	return (a->tpr & 0xf0) >= isrv ? a->tpr & 0xff : isrv;
}

/* --- interrupt requests --- */

static void kick(struct vcpu *v)
{
	v->irq_check = true;
	sched_wake(v);
}

static void set_irr(struct vlapic *a, uint8_t vector, bool level)
{
	if (vector < 16) { /* illegal vector: "receive illegal vector" error */
		a->esr |= 1u << 6;
		return;
	}
	if (level)
		bit_set(a->tmr, vector);
	else
		bit_clear(a->tmr, vector);
	bit_set(a->irr, vector);
	kick(a->vcpu);
}

bool vlapic_match(struct vcpu *v, const struct apic_msg *m)
{
	struct vlapic *a = lapic_of(v);

	/*
	 * Hardware-disabled, the CPU acts as one without an APIC (SDM Vol. 3A,
	 * "Enabling or Disabling the Local APIC"): it takes no message of any
	 * mode. Addressed and shorthand IPIs alike are matched here.
	 */
	if (!hw_enabled(a))
		return false;
	if (x2apic(a)) {
		if (m->dest == 0xffffffffu)
			return true;
		if (!m->logical)
			return m->dest == a->id;
		return (m->dest >> 16) == (a->ldr >> 16) && (m->dest & a->ldr & 0xffff);
	}
	if (!m->logical)
		return (m->dest & 0xff) == 0xff || (m->dest & 0xff) == a->id;
	if ((m->dest & 0xff) == 0xff)
		return true;
	if ((a->dfr >> 28) == 0xf) /* flat model: 8-bit mask */
		return (a->ldr >> 24) & m->dest;
	/* cluster model: cluster in the high nibble, mask in the low one */
	return ((a->ldr >> 28) == ((m->dest >> 4) & 0xf)) && ((a->ldr >> 24) & m->dest & 0xf);
}

void vlapic_accept(struct vcpu *v, const struct apic_msg *m)
{
	struct vlapic *a = lapic_of(v);

	switch (m->mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (sw_enabled(a))
			set_irr(a, m->vector, m->level);
		break;
	case APIC_DM_NMI:
		a->nmi = true;
		kick(v);
		break;
	case APIC_DM_INIT:
		a->init = true;
		kick(v);
		break;
	case APIC_DM_SIPI:
		if (v->wait_sipi || a->init) {
			a->sipi = m->vector;
			kick(v);
		}
		break;
	case APIC_DM_EXTINT:
		kick(v); /* the 8259 is asked at injection time */
		break;
	default: /* SMI and reserved modes: nothing to do */
		break;
	}
}

int vlapic_pending(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);
	int irr;

	if (!a)
		return -1;
	irr = highest(a->irr);
	if (irr < 0 || ((uint32_t)irr & 0xf0) <= (ppr(a) & 0xf0))
		return -1;
	return irr;
}

void vlapic_ack(struct vcpu *v, int vector)
{
	struct vlapic *a = lapic_of(v);

	bit_clear(a->irr, (unsigned)vector);
	bit_set(a->isr, (unsigned)vector);
}

bool vlapic_takes_extint(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);
	uint32_t lint0;

	if (!a || !sw_enabled(a)) /* a disabled APIC passes INTR through */
		return true;
	lint0 = a->lvt[LVT_LINT0];
	return !(lint0 & LVT_MASKED) && LVT_DM(lint0) == APIC_DM_EXTINT;
}

bool vlapic_take_nmi(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);

	return a && __atomic_exchange_n(&a->nmi, false, __ATOMIC_SEQ_CST);
}

bool vlapic_take_init(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);

	return a && __atomic_exchange_n(&a->init, false, __ATOMIC_SEQ_CST);
}

int vlapic_take_sipi(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);

	return a ? __atomic_exchange_n(&a->sipi, -1, __ATOMIC_SEQ_CST) : -1;
}

bool vlapic_wakes(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);

	return a && (a->nmi || a->init || (v->wait_sipi && a->sipi >= 0));
}

static void eoi(struct vlapic *a)
{
	int v = highest(a->isr);

	if (v < 0)
		return;
	bit_clear(a->isr, (unsigned)v);
	if (bit_test(a->tmr, (unsigned)v))
		vm_eoi_level(a->vcpu->vm, (uint8_t)v);
	a->vcpu->irq_check = true; /* a lower-priority request may now go */
}

/* --- timer --- */

static unsigned divisor(const struct vlapic *a)
{
	unsigned v = (a->tdcr & 3) | ((a->tdcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

static uint64_t counts_to_tsc(const struct vlapic *a, uint64_t counts)
{
	return counts * divisor(a) * clock.num / clock.den;
}

static void timer_load(struct vlapic *a, uint64_t now)
{
	a->start = now;
	a->period = counts_to_tsc(a, a->tmict);
	vtimer_arm(&a->timer, a->tmict && a->period ? now + a->period : 0);
}

static uint32_t timer_current(const struct vlapic *a)
{
	unsigned mode = TIMER_MODE(a->lvt[LVT_TIMER]);
	uint64_t now, elapsed, left;

	if (!a->timer.deadline || mode == TIMER_DEADLINE || !a->period)
		return 0;
	now = tsc_read();
	elapsed = now - a->start;
	/* Expired, not fired yet (the vtimer runs before the next entry): one-shot stays at 0. */
	if (mode != TIMER_PERIODIC && elapsed >= a->period)
		return 0;
	left = a->period - elapsed % a->period;
	return (uint32_t)(left * clock.den / clock.num / divisor(a));
}

static void timer_fire(struct vtimer *t, uint64_t now)
{
	struct vlapic *a = t->data;
	uint32_t lvt = a->lvt[LVT_TIMER];

	if (!(lvt & LVT_MASKED) && sw_enabled(a))
		set_irr(a, lvt & 0xff, false);
	if (TIMER_MODE(lvt) == TIMER_PERIODIC && a->period) {
		uint64_t next = a->start + a->period;

		/* Missed periods are dropped, not delivered in a burst. */
		if ((int64_t)(now - next) >= 0)
			next = now + a->period - (now - next) % a->period;
		a->start = next - a->period;
		vtimer_arm(t, next);
	} else if (TIMER_MODE(lvt) == TIMER_DEADLINE) {
		a->tsc_deadline = 0;
	}
}

static void write_lvt_timer(struct vlapic *a, uint32_t val)
{
	uint32_t old = a->lvt[LVT_TIMER];
	uint64_t now = tsc_read();

	/* A count that ran out under the old entry ends under it (a one-shot stays at 0). */
	if (a->timer.deadline && (int64_t)(now - a->timer.deadline) >= 0) {
		vtimer_cancel(&a->timer);
		timer_fire(&a->timer, now);
	}
	if (!sw_enabled(a))
		val |= LVT_MASKED;
	a->lvt[LVT_TIMER] = val & (0xff | LVT_MASKED | (3u << 17));
	/*
	 * SDM Vol. 3A, "TSC-Deadline Mode": a write changing the timer mode
	 * disarms the timer. Read, as KVM does, as into or out of TSC-deadline
	 * mode: between one-shot and periodic the count runs on (the mode only
	 * says whether it reloads at 0).
	 */
	if ((TIMER_MODE(old) == TIMER_DEADLINE) != (TIMER_MODE(val) == TIMER_DEADLINE)) {
		vtimer_cancel(&a->timer);
		a->tmict = 0;
		a->tsc_deadline = 0;
	}
}

/*
 * A new divider while the timer runs: the counts left stay and go on at
 * the new rate, so the current count never jumps (nor above the initial
 * count); the next periods are whole ones at the new rate.
 */
static void write_tdcr(struct vlapic *a, uint32_t val)
{
	unsigned old = divisor(a);
	uint64_t now = tsc_read(), due = a->timer.deadline, left;

	a->tdcr = val & 0xb;
	if (!due || TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_DEADLINE || !a->period)
		return;
	left = (int64_t)(due - now) > 0 ? (due - now) * divisor(a) / old : 0;
	a->period = counts_to_tsc(a, a->tmict);
	a->start = now + left - a->period;
	vtimer_arm(&a->timer, a->period ? now + left : 0);
}

/* --- ICR --- */

static void send_ipi(struct vlapic *a, uint32_t lo, uint32_t dest)
{
	struct vm *vm = a->vcpu->vm;
	struct apic_msg m = { .dest = dest, .logical = lo & ICR_DEST_LOGICAL,
			      .mode = (uint8_t)LVT_DM(lo), .vector = (uint8_t)lo,
			      .level = lo & ICR_TRIGGER };
	unsigned sh = ICR_SHORTHAND(lo);

	/* INIT level de-assert: a no-op on everything since the Pentium 4. */
	if (m.mode == APIC_DM_INIT && (lo & ICR_TRIGGER) && !(lo & ICR_LEVEL_ASSERT))
		return;
	if (m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST)
		m.level = false; /* IPIs are edge */
	if (sh == 0) {
		vm_apic_send(vm, &m);
		return;
	}
	/* A shorthand is a broadcast kept to self or the others: matched as one. */
	m.dest = 0xffffffffu;
	m.logical = false;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		bool self = v == a->vcpu;

		if ((sh == 1 && !self) || (sh == 3 && self) || !v->lapic || !vlapic_match(v, &m))
			continue;
		vlapic_accept(v, &m);
	}
}

/* --- registers --- */

static int reg_read(struct vlapic *a, unsigned off, uint64_t *val)
{
	unsigned idx = (off & 0x70) >> 4;

	switch (off) {
	case R_ID: *val = x2apic(a) ? a->id : a->id << 24; return 0;
	case R_VER: *val = APIC_VERSION; return 0;
	case R_TPR: *val = a->tpr; return 0;
	case R_APR: *val = 0; return 0;
	case R_PPR: *val = ppr(a); return 0;
	case R_EOI: *val = 0; return 0;
	case R_LDR: *val = a->ldr; return 0;
	case R_DFR: *val = a->dfr; return 0;
	case R_SVR: *val = a->svr; return 0;
	case R_ESR: *val = a->esr; return 0;
	case R_LVT_CMCI: *val = a->lvt_cmci; return 0;
	case R_ICR: *val = a->icr_lo; return 0;
	case R_ICR2: *val = a->icr_hi; return 0;
	case R_TMICT: *val = a->tmict; return 0;
	case R_TMCCT: *val = timer_current(a); return 0;
	case R_TDCR: *val = a->tdcr; return 0;
	}
	if (off >= R_LVT_TIMER && off <= R_LVT_ERROR) {
		*val = a->lvt[(off - R_LVT_TIMER) >> 4];
		return 0;
	}
	if (off >= R_ISR && off < R_ISR + 0x80) {
		*val = a->isr[idx];
		return 0;
	}
	if (off >= R_TMR && off < R_TMR + 0x80) {
		*val = a->tmr[idx];
		return 0;
	}
	if (off >= R_IRR && off < R_IRR + 0x80) {
		*val = a->irr[idx];
		return 0;
	}
	*val = 0;
	return -1;
}

static int reg_write(struct vlapic *a, unsigned off, uint64_t val64)
{
	uint32_t val = (uint32_t)val64;

	switch (off) {
	case R_ID: /* read-only here (Linux never moves it) */
	case R_VER:
	case R_PPR:
	case R_APR:
	case R_TMCCT:
		return x2apic(a) ? -1 : 0;
	case R_TPR:
		a->tpr = val & 0xff;
		a->vcpu->irq_check = true;
		return 0;
	case R_EOI:
		eoi(a);
		return 0;
	case R_LDR:
		if (x2apic(a))
			return -1;
		a->ldr = val & 0xff000000u;
		return 0;
	case R_DFR:
		a->dfr = val | 0x0fffffffu;
		return 0;
	case R_SVR:
		a->svr = val & 0x13ff;
		if (!(a->svr & SVR_ENABLE)) { /* software disable masks every LVT */
			for (unsigned i = 0; i < NR_LVT; i++)
				a->lvt[i] |= LVT_MASKED;
			a->lvt_cmci |= LVT_MASKED;
		}
		a->vcpu->irq_check = true;
		return 0;
	case R_ESR:
		a->esr = 0;
		return 0;
	case R_LVT_CMCI:
		a->lvt_cmci = val & (0x7ff | LVT_MASKED);
		return 0;
	case R_ICR:
		a->icr_lo = val & ~(1u << 12); /* delivery status: always idle */
		if (x2apic(a))
			a->icr_hi = (uint32_t)(val64 >> 32);
		send_ipi(a, a->icr_lo, x2apic(a) ? a->icr_hi : a->icr_hi >> 24);
		return 0;
	case R_ICR2:
		a->icr_hi = val & 0xff000000u;
		return 0;
	case R_LVT_TIMER:
		write_lvt_timer(a, val);
		return 0;
	case R_TMICT:
		if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_DEADLINE)
			return 0;
		a->tmict = val;
		timer_load(a, tsc_read());
		return 0;
	case R_TDCR:
		write_tdcr(a, val);
		return 0;
	case R_SELF_IPI:
		if (!x2apic(a))
			return 0;
		if (sw_enabled(a)) /* a fixed interrupt: refused like any other when disabled */
			set_irr(a, val & 0xff, false);
		return 0;
	}
	if (off > R_LVT_TIMER && off <= R_LVT_ERROR) {
		unsigned i = (off - R_LVT_TIMER) >> 4;

		if (!sw_enabled(a))
			val |= LVT_MASKED;
		a->lvt[i] = val & (0xff | (7u << 8) | (1u << 13) | LVT_LEVEL | LVT_MASKED);
		if (i == LVT_LINT0)
			a->vcpu->irq_check = true;
		return 0;
	}
	return x2apic(a) ? -1 : 0; /* read-only or reserved: ignored */
}

/* --- the MMIO page and the MSRs --- */

/*
 * xAPIC registers with no MSR (SDM Vol. 3A, "Local APIC Register Address
 * Map Supported by x2APIC"): 0x809 (APR), 0x80e (DFR) and 0x831 (ICR2, now
 * the high half of 0x830) are reserved, so RDMSR and WRMSR of them #GP.
 */
static bool no_msr(unsigned off)
{
	return off == R_APR || off == R_DFR || off == R_ICR2;
}

static int lapic_access(struct vdev *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct vcpu *v = sched_current();
	struct vlapic *a = v && v->vm == d->vm ? v->lapic : NULL;

	/* Registers are 32 bits wide at 16-byte strides; others are ignored. */
	if (!a || x2apic(a) || !hw_enabled(a) || size != 4 || (off & 0xf)) {
		if (!write)
			*val = 0;
		return 0;
	}
	if (write)
		reg_write(a, (unsigned)off, *val);
	else
		reg_read(a, (unsigned)off, val);
	return 0;
}

int vlapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vlapic *a = lapic_of(v);
	unsigned off;

	if (!a)
		return -1;
	if (msr == MSR_APIC_BASE) {
		*val = a->base_msr;
		return 0;
	}
	if (msr == MSR_TSC_DEADLINE) {
		*val = TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_DEADLINE ? a->tsc_deadline : 0;
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !x2apic(a))
		return -1;
	off = (msr - MSR_X2APIC_FIRST) << 4;
	if (off == R_ICR) {
		*val = a->icr_lo | (uint64_t)a->icr_hi << 32;
		return 0;
	}
	if (no_msr(off) || off == R_EOI || off == R_SELF_IPI)
		return -1; /* reserved, or write-only */
	return reg_read(a, off, val);
}

int vlapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic *a = lapic_of(v);
	unsigned off;

	if (!a)
		return -1;
	if (msr == MSR_APIC_BASE) {
		uint64_t mode = val & (APIC_BASE_ENABLE | APIC_BASE_X2APIC);

		/* Only the defined bits, the base never moves, no x2APIC without enable. */
		if ((val & ~(APIC_BASE_BSP | APIC_BASE_X2APIC | APIC_BASE_ENABLE | 0xfffff000ull)) ||
		    (val & 0xfffff000ull) != LAPIC_BASE || mode == APIC_BASE_X2APIC)
			return -1;
		/* SDM Vol. 3A, "x2APIC State Transitions": xAPIC <-> x2APIC only via disabled. */
		if ((a->base_msr & APIC_BASE_X2APIC) && mode == APIC_BASE_ENABLE)
			return -1; /* x2APIC -> xAPIC needs a disable in between */
		if (!hw_enabled(a) && mode == APIC_BASE_X2APIC + APIC_BASE_ENABLE)
			return -1; /* and disabled -> x2APIC an enable */
		if (mode == APIC_BASE_X2APIC + APIC_BASE_ENABLE && !x2apic(a))
			a->ldr = x2apic_ldr(a->id);
		a->base_msr = (a->base_msr & APIC_BASE_BSP) | (val & ~APIC_BASE_BSP);
		if (!mode) /* disabled: registers to their INIT values, staying disabled */
			vlapic_reset(v);
		return 0;
	}
	if (msr == MSR_TSC_DEADLINE) {
		if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_DEADLINE) {
			a->tsc_deadline = val;
			vtimer_arm(&a->timer, val);
		}
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !x2apic(a))
		return -1;
	off = (msr - MSR_X2APIC_FIRST) << 4;
	if (no_msr(off))
		return -1;
	if ((off == R_EOI || off == R_ESR) && val)
		return -1; /* the same table: "WRMSR of a non-zero value causes #GP(0)" */
	return reg_write(a, off, val);
}

/* --- life cycle --- */

void vlapic_reset(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);
	/* INIT keeps the mode, xAPIC, x2APIC or disabled (SDM Vol. 3A, "x2APIC States"). */
	uint64_t mode = a->base_msr & (APIC_BASE_ENABLE | APIC_BASE_X2APIC);

	vtimer_cancel(&a->timer);
	a->base_msr = LAPIC_BASE | mode | (v->id ? 0 : APIC_BASE_BSP);
	a->tpr = a->esr = a->icr_lo = a->icr_hi = a->tmict = a->tdcr = 0;
	a->ldr = x2apic(a) ? x2apic_ldr(a->id) : 0; /* read-only in x2APIC mode */
	a->dfr = 0xffffffffu;
	a->svr = 0xff;
	for (unsigned i = 0; i < NR_LVT; i++)
		a->lvt[i] = LVT_MASKED;
	a->lvt_cmci = LVT_MASKED;
	/* Virtual wire, as a PC BIOS leaves the boot CPU: the 8259 through LINT0, NMI on LINT1. */
	if (!v->id) {
		a->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;
		a->lvt[LVT_LINT1] = APIC_DM_NMI << 8;
	}
	memset(a->irr, 0, sizeof(a->irr));
	memset(a->isr, 0, sizeof(a->isr));
	memset(a->tmr, 0, sizeof(a->tmr));
	a->start = a->period = a->tsc_deadline = 0;
}

/* Power-on: xAPIC mode, and requests in flight forgotten. */
static void power_on(struct vcpu *v)
{
	v->lapic->base_msr = APIC_BASE_ENABLE;
	vlapic_reset(v);
	v->lapic->nmi = v->lapic->init = false;
	v->lapic->sipi = -1;
}

/*
 * Keep the host's TSC/crystal ratio when the crystal it implies is a whole
 * number of Hz; else the crystal is the TSC itself (halved until it fits
 * the leaf's 32 bits).
 */
const struct vlapic_clock *vlapic_clock(void)
{
	uint64_t r[4], tsc_hz = tsc_khz() * 1000;

	if (clock.hz)
		return &clock;
	cpuid_host(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid_host(0x15, 0, r);
		if (r[0] && r[1] && r[1] <= UINT32_MAX && tsc_hz * r[0] % r[1] == 0 &&
		    tsc_hz * r[0] / r[1] <= UINT32_MAX) {
			clock = (struct vlapic_clock){ (uint32_t)r[0], (uint32_t)r[1],
						       (uint32_t)(tsc_hz * r[0] / r[1]) };
			return &clock;
		}
	}
	clock.den = 1;
	clock.num = 1;
	while (tsc_hz > UINT32_MAX) {
		tsc_hz /= 2;
		clock.num *= 2;
	}
	clock.hz = (uint32_t)tsc_hz;
	return &clock;
}

static void lapic_destroy(struct vdev *d);

static int lapic_create(struct vdev *d)
{
	struct vm *vm = d->vm;
	int err;

	vlapic_clock();
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct vlapic *a = kzalloc(sizeof(*a));

		if (!a) {
			err = -ENOMEM;
			goto fail;
		}
		a->vcpu = v;
		a->id = v->id;
		v->lapic = a;
		err = vtimer_attach(&a->timer, v, timer_fire, a);
		if (err)
			goto fail;
		power_on(v);
	}
	err = bus_add(&vm->mmio, LAPIC_BASE, 0x1000, d, 0);
	if (!err)
		return 0;
fail:
	lapic_destroy(d);
	return err;
}

static void lapic_reset(struct vdev *d)
{
	for (unsigned i = 0; i < d->vm->nr_vcpus; i++)
		if (d->vm->vcpus[i]->lapic)
			power_on(d->vm->vcpus[i]);
}

static void lapic_destroy(struct vdev *d)
{
	for (unsigned i = 0; i < d->vm->nr_vcpus; i++) {
		struct vcpu *v = d->vm->vcpus[i];

		if (v->lapic) {
			vtimer_detach(&v->lapic->timer);
			kfree(v->lapic);
			v->lapic = NULL;
		}
	}
}

const struct vdev_ops lapic_ops = {
	.name = "lapic",
	.create = lapic_create,
	.reset = lapic_reset,
	.access = lapic_access,
	.destroy = lapic_destroy,
};
