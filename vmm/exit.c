// SPDX-License-Identifier: MIT
/*
 * The exit loop: enter, decode (arch), count, dispatch, act. The table
 * below is the whole list of exits Basalt handles; everything else stops
 * the VM with a dump.
 */
#define pr_fmt "exit"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "drivers/console.h"
#include "vmm/exit.h"
#include "vmm/sched.h"
#include "vmm/vm.h"

#define EXC_UD 6
#define EXC_GP 13
#define EXC_PF 14
#define XCR0_X87 1ull

static enum exit_action exit_hlt(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_triple_fault(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_nop(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_resume(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_yield(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_vmx_insn(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_ud(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_xsetbv(struct vcpu *v, const struct vmexit *e);
static enum exit_action exit_external(struct vcpu *v, const struct vmexit *e);

static const exit_handler_fn handlers[NR_EXIT_REASONS] = {
	[EXIT_EXTERNAL_INT] = exit_external,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_INTR_WINDOW] = exit_resume,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_HLT] = exit_hlt,
	[EXIT_INVD] = exit_nop,
	[EXIT_WBINVD] = exit_nop,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = exit_vmx_insn,
	[EXIT_VMLAUNCH] = exit_vmx_insn,
	[EXIT_VMPTRLD] = exit_vmx_insn,
	[EXIT_VMPTRST] = exit_vmx_insn,
	[EXIT_VMREAD] = exit_vmx_insn,
	[EXIT_VMRESUME] = exit_vmx_insn,
	[EXIT_VMWRITE] = exit_vmx_insn,
	[EXIT_VMXOFF] = exit_vmx_insn,
	[EXIT_VMXON] = exit_vmx_insn,
	[EXIT_INVEPT] = exit_vmx_insn,
	[EXIT_INVVPID] = exit_vmx_insn,
	[EXIT_VMFUNC] = exit_vmx_insn,
	[EXIT_CR_ACCESS] = exit_cr_access,
	[EXIT_IO] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[EXIT_MWAIT] = exit_ud,
	[EXIT_MONITOR] = exit_ud,
	[EXIT_RDPMC] = exit_ud,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_PREEMPT_TIMER] = exit_yield,
	[EXIT_XSETBV] = exit_xsetbv,
};

static const char *const reason_names[NR_EXIT_REASONS] = {
	[EXIT_EXCEPTION_NMI] = "exception or NMI", [EXIT_EXTERNAL_INT] = "external interrupt",
	[EXIT_TRIPLE_FAULT] = "triple fault", [EXIT_INIT] = "INIT", [EXIT_SIPI] = "SIPI",
	[EXIT_INTR_WINDOW] = "interrupt window", [EXIT_NMI_WINDOW] = "NMI window",
	[EXIT_TASK_SWITCH] = "task switch", [EXIT_CPUID] = "CPUID", [EXIT_GETSEC] = "GETSEC",
	[EXIT_HLT] = "HLT", [EXIT_INVD] = "INVD", [EXIT_INVLPG] = "INVLPG", [EXIT_RDPMC] = "RDPMC",
	[EXIT_RDTSC] = "RDTSC", [EXIT_RSM] = "RSM", [EXIT_VMCALL] = "VMCALL",
	[EXIT_VMCLEAR] = "VMCLEAR", [EXIT_VMLAUNCH] = "VMLAUNCH", [EXIT_VMPTRLD] = "VMPTRLD",
	[EXIT_VMPTRST] = "VMPTRST", [EXIT_VMREAD] = "VMREAD", [EXIT_VMRESUME] = "VMRESUME",
	[EXIT_VMWRITE] = "VMWRITE", [EXIT_VMXOFF] = "VMXOFF", [EXIT_VMXON] = "VMXON",
	[EXIT_CR_ACCESS] = "CR access", [EXIT_DR_ACCESS] = "DR access",
	[EXIT_IO] = "I/O instruction", [EXIT_RDMSR] = "RDMSR", [EXIT_WRMSR] = "WRMSR",
	[EXIT_BAD_GUEST_STATE] = "entry failure: invalid guest state",
	[EXIT_MSR_LOADING] = "entry failure: MSR loading", [EXIT_MWAIT] = "MWAIT",
	[EXIT_MTF] = "monitor trap flag", [EXIT_MONITOR] = "MONITOR", [EXIT_PAUSE] = "PAUSE",
	[EXIT_MACHINE_CHECK] = "entry failure: machine check",
	[EXIT_TPR_BELOW] = "TPR below threshold", [EXIT_APIC_ACCESS] = "APIC access",
	[EXIT_EOI_INDUCED] = "virtualized EOI", [EXIT_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_LDTR_TR] = "LDTR/TR access", [EXIT_EPT_VIOLATION] = "EPT violation",
	[EXIT_EPT_MISCONFIG] = "EPT misconfiguration", [EXIT_INVEPT] = "INVEPT",
	[EXIT_RDTSCP] = "RDTSCP", [EXIT_PREEMPT_TIMER] = "preemption timer",
	[EXIT_INVVPID] = "INVVPID", [EXIT_WBINVD] = "WBINVD", [EXIT_XSETBV] = "XSETBV",
	[EXIT_APIC_WRITE] = "APIC write", [EXIT_RDRAND] = "RDRAND", [EXIT_INVPCID] = "INVPCID",
	[EXIT_VMFUNC] = "VMFUNC", [EXIT_ENCLS] = "ENCLS", [EXIT_RDSEED] = "RDSEED",
	[EXIT_PML_FULL] = "PML full", [EXIT_XSAVES] = "XSAVES", [EXIT_XRSTORS] = "XRSTORS",
};

const char *exit_reason_name(uint32_t reason)
{
	if (reason < NR_EXIT_REASONS && reason_names[reason])
		return reason_names[reason];
	return "unknown";
}

void vcpu_inject_gp(struct vcpu *v)
{
	(void)v;
	vmx_inject(EVENT_TYPE_HW_EXC, EXC_GP, true, 0);
}

void vcpu_inject_ud(struct vcpu *v)
{
	(void)v;
	vmx_inject(EVENT_TYPE_HW_EXC, EXC_UD, false, 0);
}

void vcpu_inject_pf(struct vcpu *v, uint64_t addr, uint32_t error)
{
	(void)v;
	vmx_set_guest_cr2(addr);
	vmx_inject(EVENT_TYPE_HW_EXC, EXC_PF, true, error);
}

enum exit_action vcpu_fatal(struct vcpu *v, const struct vmexit *e, const char *why)
{
	struct vm *vm = v->vm;

	console_log(LOG_ERR, vm->name, "vCPU %u: %s (exit reason %u, %s, qualification %#lx)\n",
		    v->id, why, e->reason, exit_reason_name(e->reason), (unsigned long)e->qual);
	vmx_vcpu_dump(&v->arch);
	vm_stop(vm, VM_STOP_CRASH, "%s", why);
	return EXIT_STOP;
}

static enum exit_action exit_nop(struct vcpu *v, const struct vmexit *e)
{
	(void)v, (void)e;
	return EXIT_SKIP;
}

static enum exit_action exit_resume(struct vcpu *v, const struct vmexit *e)
{
	(void)v, (void)e;
	return EXIT_RESUME;
}

/* The quantum is over: let the scheduler pick the next vCPU. */
static enum exit_action exit_yield(struct vcpu *v, const struct vmexit *e)
{
	(void)v, (void)e;
	return EXIT_YIELD;
}

static enum exit_action exit_ud(struct vcpu *v, const struct vmexit *e)
{
	(void)e;
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

/* No nested VMX: VMX instructions fault in the guest as on a CPU without it. */
static enum exit_action exit_vmx_insn(struct vcpu *v, const struct vmexit *e)
{
	vm_info(v->vm, "%s at %#lx: no nested VMX, #UD\n", exit_reason_name(e->reason),
		(unsigned long)e->rip);
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

static enum exit_action exit_hlt(struct vcpu *v, const struct vmexit *e)
{
	(void)e;
	vmx_clear_interrupt_shadow();
	/* With IF=0 nothing can wake it: a lone vCPU means the VM is done. */
	if (!(vmx_guest_rflags() & RFLAGS_IF) && v->vm->nr_vcpus == 1) {
		vm_stop(v->vm, VM_STOP_POWEROFF, "vCPU %u halted with interrupts disabled", v->id);
		return EXIT_STOP;
	}
	return EXIT_BLOCK;
}

static enum exit_action exit_triple_fault(struct vcpu *v, const struct vmexit *e)
{
	return vcpu_fatal(v, e, "triple fault");
}

static enum exit_action exit_xsetbv(struct vcpu *v, const struct vmexit *e)
{
	uint32_t index = (uint32_t)v->arch.gpr[GPR_RCX];
	uint64_t val = (uint32_t)v->arch.gpr[GPR_RAX] | (v->arch.gpr[GPR_RDX] << 32);

	(void)e;
	if (index != 0 || !(val & XCR0_X87) || vmx_guest_xsetbv(&v->arch, val)) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	return EXIT_SKIP;
}

static enum exit_action exit_external(struct vcpu *v, const struct vmexit *e)
{
	(void)v;
	vmx_host_interrupt(e->intr_info);
	return EXIT_RESUME;
}

static enum exit_action dispatch_slow(struct vcpu *v, const struct vmexit *e)
{
	if (e->entry_failed)
		return vcpu_fatal(v, e, "VM entry failed");
	if (e->reason >= NR_EXIT_REASONS) {
		v->exits_other++;
		return vcpu_fatal(v, e, "unknown exit reason");
	}
	return vcpu_fatal(v, e, "unhandled exit");
}

static inline enum exit_action dispatch(struct vcpu *v, const struct vmexit *e)
{
	exit_handler_fn fn;

	/* Entry failures (reasons 33, 34, 41) have no handler: dispatch_slow. */
	if (__builtin_expect(e->reason >= NR_EXIT_REASONS, 0))
		return dispatch_slow(v, e);
	v->exits[e->reason]++;
	fn = handlers[e->reason];
	if (__builtin_expect(!fn, 0))
		return dispatch_slow(v, e);
	return fn(v, e);
}

/*
 * Inject the pending external interrupt if the guest can take it now,
 * else ask for an exit as soon as it can (interrupt-window exiting).
 */
static void deliver_irq(struct vcpu *v)
{
	if (vmx_event_pending() || !vmx_guest_interruptible()) {
		vmx_request_intr_window(true);
		return;
	}
	vmx_inject(EVENT_TYPE_EXT_INT, (unsigned)v->pending_irq, false, 0);
	vmx_request_intr_window(false);
	v->pending_irq = -1;
}

void vcpu_run_slice(struct vcpu *v, uint64_t quantum)
{
	struct vm *vm = v->vm;
	struct vmexit *e = &v->last_exit;

	v->state = VCPU_RUNNABLE;
	vmx_set_preemption_timer(quantum);
	while (vm->state == VM_RUNNING) {
		if (__builtin_expect(v->pending_irq >= 0, 0))
			deliver_irq(v);
		if (vmx_vcpu_run(&v->arch, e)) {
			vmx_vcpu_dump(&v->arch);
			vm_stop(vm, VM_STOP_CRASH, "VM entry failed");
			return;
		}
		switch (dispatch(v, e)) {
		case EXIT_SKIP:
			vmx_skip_insn(&v->arch);
			break;
		case EXIT_BLOCK:
			vmx_skip_insn(&v->arch); /* past the HLT */
			if (v->pending_irq < 0) {
				v->state = VCPU_BLOCKED;
				return;
			}
			break;
		case EXIT_YIELD:
			return;
		case EXIT_RESUME:
		case EXIT_STOP:
			break;
		}
	}
}
