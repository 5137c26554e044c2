/* SPDX-License-Identifier: MIT */
/*
 * The local APIC of a vCPU: xAPIC MMIO at 0xfee00000 and x2APIC MSRs
 * 0x800-0x8ff, interrupt request/service registers, task priority, LVTs,
 * the timer (one-shot, periodic, TSC-deadline), and the ICR (fixed,
 * NMI, INIT, SIPI) so a guest starts its own application processors.
 * Interrupts are delivered by event injection (see exit.c).
 */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/irq.h"

struct vcpu;
struct vm;

#define LAPIC_BASE 0xfee00000ull

/*
 * INIT: registers to their INIT values; the mode (xAPIC, x2APIC or
 * disabled) and requests in flight stay. The device "lapic" gives each
 * vCPU one.
 */
void vlapic_reset(struct vcpu *v);

/* Whether msg addresses v's APIC (never a hardware-disabled one: it takes no message). */
bool vlapic_match(struct vcpu *v, const struct apic_msg *msg);
/* Accept a fixed/NMI/INIT/SIPI/ExtINT message (any CPU). */
void vlapic_accept(struct vcpu *v, const struct apic_msg *msg);

/* The highest vector the vCPU may take now (IRR above the processor priority), -1 none. */
int vlapic_pending(struct vcpu *v);
/* The vector is being injected: IRR -> ISR. */
void vlapic_ack(struct vcpu *v, int vector);
/* The 8259's ExtINT reaches this vCPU (LINT0 in ExtINT mode, or the APIC disabled). */
bool vlapic_takes_extint(struct vcpu *v);

/* Requests from other CPUs, taken by the vCPU's own loop (exit.c). */
bool vlapic_take_nmi(struct vcpu *v);
bool vlapic_take_init(struct vcpu *v);
int vlapic_take_sipi(struct vcpu *v); /* the start-up vector, -1 none */
/* An NMI, INIT or (for a waiting vCPU) SIPI is pending. */
bool vlapic_wakes(struct vcpu *v);

/* x2APIC MSR access (0x800-0x8ff) and the APIC base MSR: 0, or -1 for #GP. */
/* (also IA32_APIC_BASE and IA32_TSC_DEADLINE) */
int vlapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int vlapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

/*
 * The crystal clock the timer counts at, as CPUID leaf 0x15 tells the
 * guest: TSC = hz * num / den exactly, so Linux takes the TSC frequency
 * and lapic_timer_period from the leaf without calibrating or rounding.
 */
struct vlapic_clock {
	uint32_t den, num, hz;
};
const struct vlapic_clock *vlapic_clock(void);

#endif
