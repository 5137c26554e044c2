// SPDX-License-Identifier: MIT
/*
 * Round-robin vCPU scheduling (see sched.h). Each CPU owns its queue; other
 * CPUs only append to it (under its lock) and kick it. A vCPU whose VM has
 * stopped is dropped from its queue by the owning CPU, which also VMCLEARs
 * its VMCS there, so the VM can then be freed from any CPU.
 */
#define pr_fmt "sched"
#include "arch/x86_64/cpu_sched.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/spinlock.h"
#include "arch/x86_64/tsc.h"
#include "drivers/console.h"
#include "include/basalt/limits.h"
#include "vmm/exit.h"
#include "vmm/sched.h"
#include "vmm/vm.h"

#define SCHED_MAX_PER_CPU 32 /* vCPUs queued on one physical CPU */

struct sched_cpu {
	struct spinlock lock;
	struct vcpu *rq[SCHED_MAX_PER_CPU];
	unsigned n;
	unsigned next;        /* where the round-robin scan starts */
	struct vcpu *loaded;  /* the vCPU whose state is on this CPU */
	uint64_t switches, switch_ticks;
};

static struct sched_cpu cpus[MAX_CPUS];
static uint64_t quantum = 10000000; /* replaced at boot */

void sched_set_quantum(uint64_t tsc_ticks)
{
	quantum = tsc_ticks ? tsc_ticks : 1;
}

uint64_t sched_quantum(void)
{
	return quantum;
}

int sched_add(struct vcpu *v, uint64_t cpu_mask)
{
	unsigned best = ~0u, n = cpu_count();

	for (unsigned i = 0; i < n && i < MAX_CPUS; i++)
		if ((!cpu_mask || (cpu_mask & (1ull << i))) &&
		    (best == ~0u || cpus[i].n < cpus[best].n))
			best = i;
	if (best == ~0u)
		return -EINVAL;
	spin_lock(&cpus[best].lock);
	if (cpus[best].n == SCHED_MAX_PER_CPU) {
		spin_unlock(&cpus[best].lock);
		return -ENOSPC;
	}
	v->pcpu = best;
	v->state = VCPU_RUNNABLE;
	__atomic_add_fetch(&v->vm->vcpus_queued, 1, __ATOMIC_SEQ_CST);
	cpus[best].rq[cpus[best].n++] = v;
	spin_unlock(&cpus[best].lock);
	cpu_kick(best);
	return 0;
}

void sched_wake(struct vcpu *v)
{
	cpu_kick(v->pcpu);
}

struct vcpu *sched_current(void)
{
	return cpus[cpu_current()].loaded;
}

/* Due timers fire; is v able to run now? (*next_wake: the earliest timer) */
static bool runnable(struct vcpu *v, uint64_t now, uint64_t *next_wake)
{
	uint64_t next;

	if (v->wake_tsc && (int64_t)(now - v->wake_tsc) >= 0) {
		v->pending_irq = v->wake_vector;
		v->irq_check = true;
		v->wake_tsc = 0;
	}
	if (v->vm->paused)
		return false;
	if (v->state == VCPU_RUNNABLE)
		return true;
	next = vtimer_run(v, now);
	if (vcpu_should_wake(v)) {
		v->irq_check = true;
		return true;
	}
	if (v->wake_tsc && (!next || (int64_t)(v->wake_tsc - next) < 0))
		next = v->wake_tsc;
	if (next && (!*next_wake || (int64_t)(next - *next_wake) < 0))
		*next_wake = next;
	return false;
}

/* Take v off this CPU: save and VMCLEAR its state here, then unqueue it. */
static void drop(struct sched_cpu *s, unsigned idx)
{
	struct vcpu *v = s->rq[idx];

	if (s->loaded == v) {
		vmx_vcpu_put(&v->arch);
		s->loaded = NULL;
	}
	vmx_vcpu_release(&v->arch);
	spin_lock(&s->lock);
	s->rq[idx] = s->rq[--s->n];
	spin_unlock(&s->lock);
	/* The last one out lets the boot CPU reap the VM. */
	if (!__atomic_sub_fetch(&v->vm->vcpus_queued, 1, __ATOMIC_SEQ_CST))
		cpu_kick(0);
}

/* The next vCPU to run, round-robin; NULL if none (then *next_wake: earliest timer). */
static struct vcpu *pick(struct sched_cpu *s, uint64_t *next_wake)
{
	uint64_t now = tsc_read();

	*next_wake = 0;
	for (unsigned k = 0; k < s->n; k++) {
		unsigned i = (s->next + k) % s->n;
		struct vcpu *v = s->rq[i];

		if (v->vm->state == VM_STOPPED) {
			drop(s, i);
			return pick(s, next_wake); /* the queue changed under the scan */
		}
		if (runnable(v, now, next_wake)) {
			s->next = (i + 1) % s->n;
			return v;
		}
	}
	return NULL;
}

static void switch_to(struct sched_cpu *s, struct vcpu *v)
{
	uint64_t t0 = tsc_read();

	if (s->loaded)
		vmx_vcpu_put(&s->loaded->arch);
	vmx_vcpu_load(&v->arch);
	s->loaded = v;
	s->switches++;
	s->switch_ticks += tsc_read() - t0;
}

/* The boot CPU idles at most a poll interval: it watches the console. */
#define POLL_US 10000

static uint64_t idle_deadline(uint64_t next_wake)
{
	uint64_t poll = tsc_read() + POLL_US * tsc_khz() / 1000;

	return next_wake && (int64_t)(next_wake - poll) < 0 ? next_wake : poll;
}

void sched_loop(bool (*done)(void))
{
	struct sched_cpu *s = &cpus[cpu_current()];

	for (;;) {
		uint64_t next_wake, t0;
		struct vcpu *v = pick(s, &next_wake);

		if (done) {
			/* The boot CPU's housekeeping: between every two slices. */
			if (done() && !v)
				return;
			if (!v)
				v = pick(s, &next_wake); /* done() may have queued work here */
		}
		if (!v) {
			cpu_wait_for_kick(done ? idle_deadline(next_wake) : next_wake);
			continue;
		}
		if (s->loaded != v)
			switch_to(s, v);
		t0 = tsc_read();
		vcpu_run_slice(v, quantum);
		v->run_ticks += tsc_read() - t0;
	}
}

void sched_stats(unsigned cpu, uint64_t *switches, uint64_t *avg_ticks)
{
	const struct sched_cpu *s = &cpus[cpu];

	*switches = s->switches;
	*avg_ticks = s->switches ? s->switch_ticks / s->switches : 0;
}
