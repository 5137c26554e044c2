// SPDX-License-Identifier: MIT
/* TEMPORARY (removed when the devices land): weak stand-ins so the tree links. */
#include "vmm/irq.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

__attribute__((weak)) void pic_set_irq(struct vdev *pic, unsigned irq, bool level)
{
	(void)pic, (void)irq, (void)level;
}
__attribute__((weak)) bool pic_intr(struct vdev *pic)
{
	(void)pic;
	return false;
}
__attribute__((weak)) int pic_intack(struct vdev *pic)
{
	(void)pic;
	return -1;
}
__attribute__((weak)) void ioapic_set_irq(struct vdev *ioapic, unsigned pin, bool level)
{
	(void)ioapic, (void)pin, (void)level;
}
__attribute__((weak)) void ioapic_eoi(struct vdev *ioapic, uint8_t vector)
{
	(void)ioapic, (void)vector;
}
__attribute__((weak)) void uart_input_ready(struct vdev *uart)
{
	(void)uart;
}
__attribute__((weak)) bool vlapic_match(struct vcpu *v, const struct apic_msg *msg)
{
	(void)v, (void)msg;
	return false;
}
__attribute__((weak)) void vlapic_accept(struct vcpu *v, const struct apic_msg *msg)
{
	(void)v, (void)msg;
}
