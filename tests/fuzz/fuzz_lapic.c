// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the local APICs (vmm/dev/lapic.c) of a two-vCPU
 * VM: the guests choose every MMIO access and every x2APIC, APIC base and
 * TSC-deadline MSR access; other CPUs and devices send arbitrary interrupt
 * messages; the exit path takes interrupts, INIT and SIPI when it likes,
 * and time moves forward by arbitrary steps, firing the timers.
 *
 * Input: two bytes choose the timer clock (TSC ticks per count = num /
 * den, 1-16 each), then operations of 8 bytes (kind, cpu, a, b, v: 32 bits):
 *   kind % 12  0 MMIO write, 1 MMIO read (a|b<<8: offset, cpu bits: width,
 *                alignment)
 *              2 register write, 3 register read: a picks one of the 64
 *                registers, through the vCPU's current interface (MMIO or MSR)
 *              4 x2APIC MSR write (0x800 + a; ICR destination from b),
 *              5 x2APIC MSR read
 *              6 APIC base MSR write (a mode, or any value)
 *              7 TSC-deadline MSR write (relative to now) and read
 *              8 vlapic_accept() or vm_apic_send() of any message
 *              9 take the pending vector as the exit path does, then EOI or not
 *             10 time passes (v << (b & 15) ticks) and both vCPUs' timers run
 *                (or, cpu bit 7, not yet: the vCPUs have not entered since)
 *             11 INIT, SIPI, NMI taken as exit.c does; or a device reset
 *
 * Checked after every operation: no sanitizer finding; a pending vector is
 * -1 or 16-255, above the processor priority, the highest request; an
 * acknowledged vector is in service and no longer requested; reads are as
 * wide as the access; the APIC base MSR only in valid states; registers
 * hold only their writable bits; the current count never exceeds the
 * initial count; a one-shot count never goes up; a remaining timer
 * deadline is in the future; the I/O APIC hears EOIs only for vectors
 * 16-255.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lapic_fake.h"

#define CHECK(c)                           \
	do {                               \
		if (!(c))                  \
			__builtin_trap();  \
	} while (0)

#define NR_CPUS 2

static struct vm *vm;

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The highest bit set in a 256-bit register, -1 none (the model, apart from lapic.c's). */
static int top(const uint32_t *r)
{
	for (int v = 255; v >= 0; v--)
		if (r[v / 32] >> (v % 32) & 1)
			return v;
	return -1;
}

/* What vlapic_pending() must answer, from the SDM's rules. */
static int model_pending(const struct vlapic *a)
{
	int irr = top(a->irr), isr = top(a->isr);
	unsigned isrv = isr < 0 ? 0 : (unsigned)isr & 0xf0;
	unsigned ppr = (a->tpr & 0xf0) >= isrv ? a->tpr : isrv;

	if (irr < 0 || ((unsigned)irr & 0xf0) <= (ppr & 0xf0))
		return -1;
	return irr;
}

static void check_lapic(struct vcpu *v)
{
	struct vlapic *a = v->lapic;
	uint64_t mode = a->base_msr & (APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	int p = vlapic_pending(v), sipi = a->sipi;

	CHECK(p == -1 || (p >= 16 && p <= 255));
	CHECK(p == model_pending(a));
	CHECK((a->irr[0] & 0xffff) == 0 && (a->isr[0] & 0xffff) == 0);
	/* The APIC base: the fixed page, defined bits only, never EXTD without EN. */
	CHECK((a->base_msr & 0xfffff000ull) == LAPIC_BASE);
	CHECK(!(a->base_msr & ~(LAPIC_BASE | APIC_BASE_BSP | APIC_BASE_X2APIC | APIC_BASE_ENABLE)));
	CHECK(mode != APIC_BASE_X2APIC);
	CHECK(!!(a->base_msr & APIC_BASE_BSP) == (v->id == 0));
	CHECK(a->id == v->id);
	if (x2apic(a))
		CHECK(a->ldr == x2apic_ldr(a->id));
	/* Registers hold only their writable bits. */
	CHECK(a->tpr <= 0xff && !(a->svr & ~0x13ffu) && !(a->tdcr & ~0xbu));
	CHECK((a->dfr & 0x0fffffffu) == 0x0fffffffu);
	CHECK(!(a->icr_lo & (1u << 12)));
	CHECK(!(a->lvt[LVT_TIMER] & ~(0xffu | LVT_MASKED | 3u << 17)));
	for (unsigned i = 1; i < NR_LVT; i++)
		CHECK(!(a->lvt[i] & ~(0xffu | 7u << 8 | 1u << 13 | LVT_LEVEL | LVT_MASKED)));
	CHECK(!(a->lvt_cmci & ~(0x7ffu | LVT_MASKED)));
	/* The two timer modes keep apart. */
	if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_DEADLINE)
		CHECK(a->tmict == 0);
	else
		CHECK(a->tsc_deadline == 0);
	CHECK(timer_current(a) <= a->tmict);
	CHECK(sipi >= -1 && sipi <= 255);
	CHECK(v->timers[0] == &a->timer);
}

static void check_state(void)
{
	for (unsigned i = 0; i < NR_CPUS; i++)
		check_lapic(vm->vcpus[i]);
	for (unsigned i = 0; i < fake_nr_eois && i < FAKE_MAX_EOIS; i++)
		CHECK(fake_eois[i] >= 16);
}

/* A register access through the vCPU's interface, as its guest would make it. */
static void reg_access(struct vcpu *v, unsigned off, bool write, uint64_t val)
{
	uint64_t x = val;

	if (x2apic(v->lapic)) {
		if (write)
			(void)vlapic_wrmsr(v, MSR_X2APIC_FIRST + off / 16, val);
		else if (vlapic_rdmsr(v, MSR_X2APIC_FIRST + off / 16, &x) == 0 &&
			 off != R_ICR)
			CHECK(x >> 32 == 0);
		return;
	}
	CHECK(fake_mmio(v, off, 4, write, &x) == 0);
	if (!write)
		CHECK(x >> 32 == 0);
}

static void mmio(struct vcpu *v, const uint8_t *o, bool write)
{
	unsigned size = 1u << (o[1] >> 1 & 3), off = (o[2] | o[3] << 8) & 0xfff;
	uint64_t x = write ? le32(o + 4) | (uint64_t)le32(o + 4) << 32 : 0x5a5a5a5a5a5a5a5aull;
	int rc;

	if (o[1] & 0x80)
		off &= 0xff0; /* mostly registers */
	rc = fake_mmio(v, off, size, write, &x);
	CHECK(rc == 0 || (rc == -ENODEV && off + size > 0x1000));
	if (write || rc)
		return;
	/* Only aligned 32-bit accesses of an xAPIC-mode APIC see a register. */
	if (size != 4 || (off & 0xf) || x2apic(v->lapic) || !hw_enabled(v->lapic))
		CHECK(x == 0);
	else
		CHECK(x >> 32 == 0);
}

static void base_write(struct vcpu *v, const uint8_t *o)
{
	uint64_t val = LAPIC_BASE | (uint64_t)(o[2] & 3) << 10 | (o[2] & 4 ? APIC_BASE_BSP : 0);
	uint64_t before = v->lapic->base_msr, after;

	if (o[1] & 0x80) /* any value */
		val = le32(o + 4) | (uint64_t)o[3] << 32;
	if (vlapic_wrmsr(v, MSR_APIC_BASE, val) != 0) {
		CHECK(v->lapic->base_msr == before);
		return;
	}
	after = v->lapic->base_msr;
	CHECK((after & ~APIC_BASE_BSP) == (val & ~APIC_BASE_BSP));
	/* Into x2APIC only from xAPIC, out of it only to disabled. */
	if ((after & APIC_BASE_X2APIC) && !(before & APIC_BASE_X2APIC))
		CHECK(before & APIC_BASE_ENABLE);
	if ((before & APIC_BASE_X2APIC) && !(after & APIC_BASE_X2APIC))
		CHECK(!(after & APIC_BASE_ENABLE));
	if (!(after & APIC_BASE_ENABLE))
		CHECK(top(v->lapic->irr) < 0 && top(v->lapic->isr) < 0);
}

static void deadline(struct vcpu *v, const uint8_t *o)
{
	uint64_t val = o[1] & 0x80 ? 0 : fake_tsc + (uint64_t)(int64_t)(int32_t)le32(o + 4), x = 1;
	bool armed = TIMER_MODE(v->lapic->lvt[LVT_TIMER]) == TIMER_DEADLINE;

	CHECK(vlapic_wrmsr(v, MSR_TSC_DEADLINE, val) == 0);
	CHECK(vlapic_rdmsr(v, MSR_TSC_DEADLINE, &x) == 0);
	CHECK(x == (armed ? val : 0));
	CHECK(v->lapic->timer.deadline == (armed ? val : v->lapic->timer.deadline));
}

static void message(struct vcpu *v, const uint8_t *o)
{
	struct apic_msg m = { .dest = le32(o + 4), .logical = o[1] & 2, .mode = o[2] & 7,
			      .vector = o[3], .level = o[1] & 4 };

	if (o[1] & 8)
		vm_apic_send(vm, &m);
	else
		vlapic_accept(v, &m);
	(void)vlapic_match(v, &m);
	(void)vlapic_takes_extint(v);
}

/* The exit path's deliver_irq(): the vector goes from IRR to ISR. */
static void take(struct vcpu *v, const uint8_t *o)
{
	int vec = vlapic_pending(v), again;

	if (vec < 0)
		return;
	CHECK(vec == top(v->lapic->irr));
	vlapic_ack(v, vec);
	CHECK(bit_test(v->lapic->isr, (unsigned)vec) && !bit_test(v->lapic->irr, (unsigned)vec));
	/* Whatever is deliverable now is of a higher class. */
	again = vlapic_pending(v);
	CHECK(again < 0 || (again & 0xf0) > (vec & 0xf0));
	if (o[1] & 0x80) {
		unsigned eois = fake_nr_eois;
		bool level = bit_test(v->lapic->tmr, (unsigned)vec);

		reg_access(v, R_EOI, true, 0);
		if (hw_enabled(v->lapic)) {
			CHECK(!bit_test(v->lapic->isr, (unsigned)vec));
			CHECK(fake_nr_eois == eois + level);
		}
	}
}

/* Time passes; unless the cpu byte's top bit says the vCPUs have not entered yet, timers fire. */
static void time_passes(const uint8_t *o)
{
	uint32_t count[NR_CPUS];

	for (unsigned i = 0; i < NR_CPUS; i++)
		count[i] = timer_current(vm->vcpus[i]->lapic);
	fake_tsc += (uint64_t)le32(o + 4) << (o[3] & 15); /* up to 2^47: no wrap-around */
	for (unsigned i = 0; i < NR_CPUS; i++) {
		struct vlapic *a = vm->vcpus[i]->lapic;
		uint64_t next;

		/* A one-shot count only goes down, whether it has fired or not. */
		if (TIMER_MODE(a->lvt[LVT_TIMER]) != TIMER_PERIODIC)
			CHECK(timer_current(a) <= count[i]);
		if (o[1] & 0x80)
			continue;
		fake_current = vm->vcpus[i];
		next = vtimer_run(vm->vcpus[i], fake_tsc);
		CHECK(next == 0 || (int64_t)(next - fake_tsc) > 0);
	}
}

/* exit.c's init_sipi() and NMI injection, or the VM restarting. */
static void exit_path(struct vcpu *v, const uint8_t *o)
{
	int sipi;

	switch (o[2] & 3) {
	case 0:
		if (vlapic_take_init(v) && v->id) {
			vlapic_reset(v);
			v->wait_sipi = true;
		}
		if (v->wait_sipi && (sipi = vlapic_take_sipi(v)) >= 0) {
			CHECK(sipi <= 255);
			v->wait_sipi = false;
		}
		break;
	case 1:
		(void)vlapic_wakes(v);
		(void)vlapic_take_nmi(v);
		break;
	case 2:
		vlapic_reset(v);
		break;
	default:
		lapic_ops.reset(&vm->devs[0]);
		for (unsigned i = 0; i < NR_CPUS; i++) {
			CHECK(vlapic_take_sipi(vm->vcpus[i]) == -1);
			CHECK(!vlapic_wakes(vm->vcpus[i]));
			vm->vcpus[i]->wait_sipi = false;
		}
		break;
	}
}

static void op(const uint8_t *o)
{
	struct vcpu *v = vm->vcpus[o[1] & 1];
	uint64_t x = 0;

	fake_current = v;
	switch (o[0] % 12) {
	case 0:
	case 1:
		mmio(v, o, o[0] % 12 == 0);
		break;
	case 2:
	case 3:
		reg_access(v, (o[2] & 0x3f) << 4, o[0] % 12 == 2, le32(o + 4));
		break;
	case 4:
		(void)vlapic_wrmsr(v, MSR_X2APIC_FIRST + o[2],
				   le32(o + 4) | (o[3] == 0xff ? 0xffffffffull : o[3]) << 32);
		break;
	case 5:
		if (vlapic_rdmsr(v, MSR_X2APIC_FIRST + o[2], &x) == 0 && o[2] != R_ICR >> 4)
			CHECK(x >> 32 == 0);
		break;
	case 6:
		base_write(v, o);
		break;
	case 7:
		deadline(v, o);
		break;
	case 8:
		message(v, o);
		break;
	case 9:
		take(v, o);
		break;
	case 10:
		time_passes(o);
		break;
	default:
		exit_path(v, o);
		break;
	}
	check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vlapic_clock c = { .den = 1, .num = 1, .hz = 1 };
	int err;

	if (size >= 2) {
		c.num = 1 + data[0] % 16;
		c.den = 1 + data[1] % 16;
		data += 2;
		size -= 2;
	}
	fake_tsc = 1ull << 40;
	vm = fake_vm_create(NR_CPUS, c, &err);
	CHECK(err == 0);
	check_state();
	for (size_t i = 0; i + 8 <= size; i += 8)
		op(data + i);
	fake_vm_destroy(vm);
	vm = NULL;
	return 0;
}
