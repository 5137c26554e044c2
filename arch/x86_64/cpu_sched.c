// SPDX-License-Identifier: MIT
/*
 * CPU services for the scheduler. A kick is a fixed-vector IPI whose
 * handler only acknowledges it: its point is to end a HLT or, while a
 * guest runs, to cause an external-interrupt VM exit.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_sched.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"

#define VECTOR_KICK 0xf0

static void kick_handler(struct trap_frame *f)
{
	(void)f;
	this_cpu()->kicked = true;
	apic_eoi();
}

void cpu_sched_init(void)
{
	irq_register(VECTOR_KICK, kick_handler);
}

unsigned cpu_current(void)
{
	return this_cpu()->id;
}

unsigned cpu_count(void)
{
	return smp_cpus_online();
}

void cpu_kick(unsigned idx)
{
	struct pcpu *c = pcpu_get(idx);

	if (c && c->online && idx != cpu_current())
		apic_send_ipi(c->apic_id, ICR_FIXED | ICR_ASSERT | VECTOR_KICK);
}

void cpu_wait_for_kick(uint64_t deadline_tsc)
{
	struct pcpu *c = this_cpu();

	if (!deadline_tsc) {
		asm volatile("sti; hlt; cli" ::: "memory");
		c->kicked = false;
		return;
	}
	/* A timer is due: poll the TSC until then or until kicked. */
	asm volatile("sti" ::: "memory");
	while ((int64_t)(rdtsc() - deadline_tsc) < 0 && !__atomic_load_n(&c->kicked, __ATOMIC_ACQUIRE))
		cpu_relax();
	asm volatile("cli" ::: "memory");
	c->kicked = false;
}
