/* SPDX-License-Identifier: MIT */
/*
 * Interrupts inside a VM.
 *
 * Devices drive interrupt lines by GSI number. ISA IRQ n is GSI n (no
 * overrides): lines 0-15 go to the 8259 pair and to IOAPIC pins 0-15,
 * lines 16-23 to the IOAPIC only. A line is a level: an edge-triggered
 * input latches on 0 -> 1, a level-triggered one stays asserted while 1.
 *
 * The interrupt controllers (vmm/dev/pic.c, vmm/dev/ioapic.c) register
 * themselves in struct vm at create time; the local APICs are per vCPU
 * (vmm/vlapic.c). Everything here may be called from any vCPU's exit path
 * and from timer callbacks, on any physical CPU: controllers lock
 * themselves.
 */
#ifndef VMM_IRQ_H
#define VMM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vdev;

#define VM_NR_GSIS 24

/* Set GSI gsi's line level (out-of-range GSIs are ignored). */
void vm_set_irq(struct vm *vm, unsigned gsi, bool level);

/* An edge on gsi: raise then lower the line. */
static inline void vm_pulse_irq(struct vm *vm, unsigned gsi)
{
	vm_set_irq(vm, gsi, true);
	vm_set_irq(vm, gsi, false);
}

/* --- for the interrupt controllers --- */

/* The 8259 pair's INTR output changed: vCPU 0 looks again (any CPU). */
void vm_extint_changed(struct vm *vm);

/*
 * An interrupt message (IOAPIC redirection entry, or a local APIC's ICR):
 * destination as in the xAPIC (physical: APIC ID, 0xff broadcast;
 * logical: flat-model bitmask), delivery mode as in the ICR (0 fixed,
 * 1 lowest priority, 4 NMI, 5 INIT, 6 SIPI, 7 ExtINT).
 */
struct apic_msg {
	uint32_t dest;
	bool logical;
	uint8_t mode;
	uint8_t vector;
	bool level; /* trigger mode: level (the IOAPIC wants an EOI) */
};
#define APIC_DM_FIXED   0
#define APIC_DM_LOWEST  1
#define APIC_DM_SMI     2
#define APIC_DM_NMI     4
#define APIC_DM_INIT    5
#define APIC_DM_SIPI    6
#define APIC_DM_EXTINT  7

/* Deliver msg to the VM's local APICs it addresses. */
void vm_apic_send(struct vm *vm, const struct apic_msg *msg);

/* A local APIC took an EOI for a level-triggered vector: tell the IOAPIC. */
void vm_eoi_level(struct vm *vm, uint8_t vector);

/* The controllers' side of the above, implemented in their device files. */
void pic_set_irq(struct vdev *pic, unsigned irq, bool level);
bool pic_intr(struct vdev *pic);  /* INTR asserted */
int pic_intack(struct vdev *pic); /* INTA cycle: the vector, and ISR/IRR updated */
void ioapic_set_irq(struct vdev *ioapic, unsigned pin, bool level);
void ioapic_eoi(struct vdev *ioapic, uint8_t vector);

#endif
