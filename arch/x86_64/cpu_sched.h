/* SPDX-License-Identifier: MIT */
/*
 * What the VMM's scheduler needs from the CPU: who am I, how many of us,
 * wake another CPU, and wait for work. (The scheduler itself is vmm/sched.c.)
 */
#ifndef ARCH_CPU_SCHED_H
#define ARCH_CPU_SCHED_H

#include <stdbool.h>
#include <stdint.h>

/* Boot CPU, before SMP: install the kick handler. */
void cpu_sched_init(void);
/* This CPU's index (0 = boot CPU) and the number online. */
unsigned cpu_current(void);
unsigned cpu_count(void);
/* Make CPU idx leave cpu_wait_for_kick() / exit its guest soon (an IPI). */
void cpu_kick(unsigned idx);
/*
 * Wait with interrupts enabled until a kick or another interrupt arrives,
 * or, when deadline_tsc is nonzero, until the TSC reaches it (polling).
 * Returns with interrupts disabled.
 */
void cpu_wait_for_kick(uint64_t deadline_tsc);

#endif
