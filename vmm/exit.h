/* SPDX-License-Identifier: MIT */
/*
 * The VM-exit loop and its handlers. Arch code decodes each exit into a
 * struct vmexit; exit.c dispatches on the reason through one bounds-checked
 * table. A handler returns what to do next. An exit nobody handles stops
 * that VM with a register and VMCS dump.
 */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include <stdint.h>

#include "arch/x86_64/vmx_vcpu.h"

struct vcpu;

enum exit_action {
	EXIT_RESUME,  /* re-enter as is (RIP already right) */
	EXIT_SKIP,    /* advance RIP past the exiting instruction, re-enter */
	EXIT_BLOCK,   /* the vCPU waits for an event (HLT) */
	EXIT_STOP,    /* the VM has been stopped (vm_stop called) */
	EXIT_YIELD,   /* the quantum is over: back to the scheduler */
};

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v, const struct vmexit *e);

/*
 * Run v (loaded on this CPU) for up to quantum TSC ticks of guest time;
 * return early when it halts with nothing pending (state VCPU_BLOCKED) or
 * its VM stops.
 */
void vcpu_run_slice(struct vcpu *v, uint64_t quantum);
/* A blocked vCPU has something to do (an interrupt it can take, NMI, INIT, SIPI). */
bool vcpu_should_wake(struct vcpu *v);

/* Handlers (one file per group). */
enum exit_action exit_cpuid(struct vcpu *v, const struct vmexit *e);
enum exit_action exit_io(struct vcpu *v, const struct vmexit *e);
enum exit_action exit_ept_violation(struct vcpu *v, const struct vmexit *e);
enum exit_action exit_rdmsr(struct vcpu *v, const struct vmexit *e);
enum exit_action exit_wrmsr(struct vcpu *v, const struct vmexit *e);
enum exit_action exit_cr_access(struct vcpu *v, const struct vmexit *e);
enum exit_action exit_vmcall(struct vcpu *v, const struct vmexit *e);

/* Shared helpers for handlers. */
void vcpu_inject_gp(struct vcpu *v);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_pf(struct vcpu *v, uint64_t addr, uint32_t error);
/* Stop the VM with a dump of the vCPU: for exits that should never happen. */
enum exit_action vcpu_fatal(struct vcpu *v, const struct vmexit *e, const char *why);
const char *exit_reason_name(uint32_t reason);

#endif
