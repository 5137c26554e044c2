/* SPDX-License-Identifier: MIT */
/*
 * The local APIC (vmm/dev/lapic.c) on the host, shared by its unit test
 * (tests/unit/test_lapic.c) and its fuzz target (tests/fuzz/fuzz_lapic.c).
 *
 * Real code: the device bus, the virtual timers (vmm/vtimer.c: timers fire
 * when the test calls vtimer_run) and the interrupt routing between local
 * APICs (vmm/irq.c: vm_apic_send, vm_eoi_level). Fakes: the heap, a TSC the
 * test sets (fake_tsc), the scheduler (fake_current is the vCPU "running"
 * on this CPU; wake-ups are counted) and the I/O APIC, whose EOIs are
 * recorded. No assertion here: each includer checks in its own way.
 *
 * Include it first, instead of the .c files above. Nothing it defines may
 * go unused in either includer: helpers are static inline.
 */
#ifndef TESTS_LAPIC_FAKE_H
#define TESTS_LAPIC_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmm/bus.c"
#include "vmm/dev/lapic.c"
#include "vmm/irq.c"
#include "vmm/vtimer.c"

/* --- the services lapic.c calls --------------------------------------------- */

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

static uint64_t fake_tsc;       /* what tsc_read() returns */
static uint64_t fake_tsc_khz = 3000000;

uint64_t tsc_read(void)
{
	return fake_tsc;
}

uint64_t tsc_khz(void)
{
	return fake_tsc_khz;
}

static struct vcpu *fake_current; /* the vCPU whose exit is being handled */
static unsigned fake_wakes;       /* sched_wake() calls */

struct vcpu *sched_current(void)
{
	return fake_current;
}

void sched_wake(struct vcpu *v)
{
	(void)v;
	fake_wakes++;
}

/* The I/O APIC: only EOIs reach it from a local APIC. */
#define FAKE_MAX_EOIS 64
static uint8_t fake_eois[FAKE_MAX_EOIS];
static unsigned fake_nr_eois;

void ioapic_eoi(struct vdev *ioapic, uint8_t vector)
{
	(void)ioapic;
	if (fake_nr_eois < FAKE_MAX_EOIS)
		fake_eois[fake_nr_eois] = vector;
	fake_nr_eois++;
}

/* vm_set_irq() (irq.c) drives these; nothing here calls it. */
void pic_set_irq(struct vdev *pic, unsigned irq, bool level)
{
	(void)pic, (void)irq, (void)level;
}

void ioapic_set_irq(struct vdev *ioapic, unsigned pin, bool level)
{
	(void)ioapic, (void)pin, (void)level;
}

/* --- a VM of nr vCPUs with the "lapic" device --------------------------------- */

/*
 * Device 0 is the local APICs, device 1 an I/O APIC placeholder so that
 * vm_eoi_level() reaches ioapic_eoi(). The timer clock is c (lapic.c's
 * vlapic_clock() keeps a clock once set, so the host's CPUID is not asked).
 * NULL if create failed (its error in *err).
 */
static inline struct vm *fake_vm_create(unsigned nr, struct vlapic_clock c, int *err)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		abort();
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	for (unsigned i = 0; i < nr; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		if (!v)
			abort();
		v->vm = vm;
		v->id = i;
		v->pending_irq = -1;
		vm->vcpus[i] = v;
	}
	vm->nr_vcpus = nr;
	vm->devs[0] = (struct vdev){ .ops = &lapic_ops, .vm = vm };
	vm->devs[1] = (struct vdev){ .vm = vm };
	vm->ioapic = &vm->devs[1];
	vm->nr_devs = 2;
	clock = c;
	fake_current = NULL;
	fake_wakes = fake_nr_eois = 0;
	*err = lapic_ops.create(&vm->devs[0]);
	return vm;
}

static inline void fake_vm_destroy(struct vm *vm)
{
	lapic_ops.destroy(&vm->devs[0]);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		free(vm->vcpus[i]);
	free(vm);
	fake_current = NULL;
}

/* One access to the xAPIC page by vCPU v: the bus's result. */
static inline int fake_mmio(struct vcpu *v, uint64_t off, unsigned size, bool write,
			    uint64_t *val)
{
	fake_current = v;
	return bus_access(&v->vm->mmio, LAPIC_BASE + off, size, write, val);
}

#endif
