/* SPDX-License-Identifier: MIT */
/*
 * Virtual timers: a device (or a local APIC) asks for a callback at a TSC
 * deadline. Each timer belongs to one vCPU, whose physical CPU fires it:
 * while that vCPU runs, its VMX preemption timer is cut short at the
 * earliest deadline; while it is halted, the scheduler wakes for it.
 *
 * fire() runs on the owner's physical CPU, outside guest context, with no
 * lock held: it may raise interrupts (vm_set_irq, vm_apic_send), re-arm its
 * timer, and must lock its device state itself.
 */
#ifndef VMM_VTIMER_H
#define VMM_VTIMER_H

#include <stdint.h>

struct vcpu;

struct vtimer {
	volatile uint64_t deadline; /* TSC; 0: disarmed */
	void (*fire)(struct vtimer *t, uint64_t now);
	void *data;                 /* the owner's */
	struct vcpu *vcpu;
};

#define VCPU_MAX_TIMERS 4

/* Bind t to vCPU v (at device creation). 0, or -ENOSPC. */
int vtimer_attach(struct vtimer *t, struct vcpu *v, void (*fire)(struct vtimer *, uint64_t),
		  void *data);
void vtimer_detach(struct vtimer *t);
/* Fire at TSC deadline (from any CPU); 0 disarms. */
void vtimer_arm(struct vtimer *t, uint64_t deadline);
static inline void vtimer_cancel(struct vtimer *t)
{
	vtimer_arm(t, 0);
}

/* --- for the exit loop and the scheduler --- */

/* Fire v's due timers; the earliest remaining deadline, 0 none. */
uint64_t vtimer_run(struct vcpu *v, uint64_t now);

#endif
