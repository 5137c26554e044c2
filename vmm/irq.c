// SPDX-License-Identifier: MIT
/* Interrupt routing inside a VM (see irq.h). */
#include "vmm/irq.h"
#include "vmm/sched.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

void vm_set_irq(struct vm *vm, unsigned gsi, bool level)
{
	if (gsi >= VM_NR_GSIS)
		return;
	if (vm->pic && gsi < 16)
		pic_set_irq(vm->pic, gsi, level);
	if (vm->ioapic)
		ioapic_set_irq(vm->ioapic, gsi, level);
}

void vm_extint_changed(struct vm *vm)
{
	struct vcpu *v = vm->vcpus[0];

	if (!v)
		return;
	v->irq_check = true;
	sched_wake(v);
}

void vm_apic_send(struct vm *vm, const struct apic_msg *msg)
{
	bool lowest = msg->mode == APIC_DM_LOWEST;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (!v->lapic || !vlapic_match(v, msg))
			continue;
		vlapic_accept(v, msg);
		if (lowest) /* lowest priority: the first match will do */
			return;
	}
}

void vm_eoi_level(struct vm *vm, uint8_t vector)
{
	if (vm->ioapic)
		ioapic_eoi(vm->ioapic, vector);
}
