// SPDX-License-Identifier: MIT
/* Virtual timers (see vtimer.h). */
#include "arch/x86_64/lib/errno.h"
#include "vmm/sched.h"
#include "vmm/vm.h"
#include "vmm/vtimer.h"

int vtimer_attach(struct vtimer *t, struct vcpu *v, void (*fire)(struct vtimer *, uint64_t),
		  void *data)
{
	t->deadline = 0;
	t->fire = fire;
	t->data = data;
	t->vcpu = v;
	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++)
		if (!v->timers[i]) {
			v->timers[i] = t;
			return 0;
		}
	return -ENOSPC;
}

void vtimer_detach(struct vtimer *t)
{
	struct vcpu *v = t->vcpu;

	if (!v)
		return;
	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++)
		if (v->timers[i] == t)
			v->timers[i] = NULL;
	t->vcpu = NULL;
}

void vtimer_arm(struct vtimer *t, uint64_t deadline)
{
	struct vcpu *v = t->vcpu;

	t->deadline = deadline;
	if (!v)
		return;
	v->timers_changed = true;
	/* The owner recomputes before its next entry; elsewhere, make it exit. */
	if (deadline && sched_current() != v)
		sched_wake(v);
}

uint64_t vtimer_run(struct vcpu *v, uint64_t now)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < VCPU_MAX_TIMERS; i++) {
		struct vtimer *t = v->timers[i];
		uint64_t d;

		if (!t)
			continue;
		d = t->deadline;
		if (d && (int64_t)(now - d) >= 0) {
			t->deadline = 0;
			t->fire(t, now);
			d = t->deadline; /* it may have re-armed */
		}
		if (d && (!next || (int64_t)(d - next) < 0))
			next = d;
	}
	return next;
}
