/* SPDX-License-Identifier: MIT */
/*
 * The vCPU scheduler: one round-robin run queue per physical CPU.
 *
 * Every vCPU belongs to one physical CPU for its whole life (chosen when
 * it is created: the least loaded CPU its pinning allows), so its VMCS
 * never migrates. A CPU runs its runnable vCPUs in turn, each for one
 * quantum (the VMX-preemption timer ends it); a vCPU halted with nothing
 * pending is skipped until an interrupt or its timer is due; a CPU with
 * nothing runnable halts until kicked.
 */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_BLOCKED, /* HLT: waits for pending_irq or wake_tsc */
};

/* Quantum in TSC ticks (boot CPU, before any VM runs). */
void sched_set_quantum(uint64_t tsc_ticks);
uint64_t sched_quantum(void);

/*
 * Pick a CPU for v among those in cpu_mask (bit i = CPU i; 0 = any online
 * CPU with VMX) and queue it there. 0, or -ENOSPC / -EINVAL (no such CPU).
 */
int sched_add(struct vcpu *v, uint64_t cpu_mask);

/* Wake v if it is blocked (it has something pending now). Any CPU. */
void sched_wake(struct vcpu *v);
/* The vCPU whose state is loaded on this CPU, NULL none. */
struct vcpu *sched_current(void);

/*
 * Run this CPU's queue. Returns (on the boot CPU) when done() says so,
 * checked whenever the CPU would idle; other CPUs pass NULL and never return.
 */
void sched_loop(bool (*done)(void));

/* Switches made and the average cost of one, in TSC ticks, for this CPU. */
void sched_stats(unsigned cpu, uint64_t *switches, uint64_t *avg_ticks);

#endif
