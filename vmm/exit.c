// SPDX-License-Identifier: MIT
/*
 * The exit loop: enter, decode (arch), count, dispatch, act. The table
 * below is the whole list of exits Basalt handles; everything else stops
 * the VM with a dump.
 */
#define pr_fmt "exit"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "arch/x86_64/tsc.h"
#include "drivers/console.h"
#include "vmm/exit.h"
#include "vmm/irq.h"
#include "vmm/vlapic.h"
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

/* A timer is due, or the quantum is over: then the scheduler picks the next vCPU. */
static enum exit_action exit_yield(struct vcpu *v, const struct vmexit *e)
{
	(void)e;
	if ((int64_t)(tsc_read() - v->slice_end) >= 0)
		return EXIT_YIELD;
	v->timers_changed = true;
	return EXIT_RESUME;
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

/* Every vCPU halted with interrupts off, or never started: nothing can happen any more. */
static bool vm_halted_for_good(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i]->halted_for_good && !vm->vcpus[i]->wait_sipi)
			return false;
	return true;
}

static enum exit_action exit_hlt(struct vcpu *v, const struct vmexit *e)
{
	(void)e;
	vmx_clear_interrupt_shadow();
	/* With IF=0 only an NMI or INIT wakes it; when no vCPU can, the VM is done. */
	if (!(vmx_guest_rflags() & RFLAGS_IF)) {
		v->halted_for_good = true;
		if (vm_halted_for_good(v->vm)) {
			vm_stop(v->vm, VM_STOP_POWEROFF, "every vCPU halted with interrupts disabled");
			return EXIT_STOP;
		}
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

/* An external interrupt from the 8259 side (vCPU 0 only): the vector, or -1. */
static int extint_peek(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (v->id)
		return -1;
	if (v->pending_irq >= 0)
		return v->pending_irq;
	if (vm->pic && pic_intr(vm->pic) && vlapic_takes_extint(v))
		return 256; /* the vector comes with the INTA cycle */
	return -1;
}

static bool vcpu_has_interrupt(struct vcpu *v)
{
	return extint_peek(v) >= 0 || vlapic_pending(v) >= 0;
}

bool vcpu_should_wake(struct vcpu *v)
{
	if (vlapic_wakes(v))
		return true;
	if (v->wait_sipi || v->halted_for_good)
		return false;
	return vcpu_has_interrupt(v);
}

/*
 * INIT and SIPI (sent by another vCPU's local APIC): INIT parks the vCPU
 * until a start-up IPI, which restarts it in real mode at vector << 12.
 */
static void init_sipi(struct vcpu *v)
{
	int sipi;

	if (vlapic_take_init(v) && v->id) { /* INIT on the boot CPU: ignored (no VM reset) */
		vlapic_reset(v);
		v->wait_sipi = true;
	}
	if (v->wait_sipi && (sipi = vlapic_take_sipi(v)) >= 0) {
		struct vcpu_start s = { .mode = VCPU_START_REAL, .cs = (uint16_t)(sipi << 8) };

		vmx_vcpu_restart(&v->arch, &s);
		v->wait_sipi = false;
		v->halted_for_good = false;
	}
}

/*
 * Something may be deliverable (v->irq_check): inject the most urgent
 * event the guest can take now, else ask for an exit as soon as it can
 * (interrupt-window exiting) and keep looking.
 */
static void deliver_irq(struct vcpu *v)
{
	int vec;

	v->irq_check = false; /* before looking: a new request sets it again */
	if (v->lapic) {
		init_sipi(v);
		if (v->wait_sipi)
			return;
		if (vlapic_take_nmi(v)) {
			if (!vmx_event_pending() && vmx_guest_nmi_allowed()) {
				vmx_inject(EVENT_TYPE_NMI, 2, false, 0);
				v->halted_for_good = false;
				return;
			}
			vlapic_accept(v, &(struct apic_msg){ .mode = APIC_DM_NMI }); /* later */
			return;
		}
	}
	vec = extint_peek(v);
	if (vec < 0)
		vec = vlapic_pending(v);
	if (vec < 0) {
		vmx_request_intr_window(false);
		return;
	}
	if (vmx_event_pending() || !vmx_guest_interruptible()) {
		v->irq_check = true;
		vmx_request_intr_window(true);
		return;
	}
	if (vec == v->pending_irq && !v->id) {
		v->pending_irq = -1;
	} else if (vec == 256) {
		vec = pic_intack(v->vm->pic);
		if (vec < 0)
			return;
	} else {
		vlapic_ack(v, vec);
	}
	vmx_inject(EVENT_TYPE_EXT_INT, (unsigned)vec, false, 0);
	v->irq_check = true; /* more may be waiting: look again after this entry */
}

/* Fire due timers; cut the preemption timer at the next deadline or the slice end. */
static void rearm(struct vcpu *v)
{
	uint64_t now = tsc_read(), next;

	v->timers_changed = false;
	next = vtimer_run(v, now);
	if (!next || (int64_t)(next - v->slice_end) > 0)
		next = v->slice_end;
	vmx_set_preemption_timer((int64_t)(next - now) > 0 ? next - now : 1);
}

void vcpu_run_slice(struct vcpu *v, uint64_t quantum)
{
	struct vm *vm = v->vm;
	struct vmexit *e = &v->last_exit;

	v->state = VCPU_RUNNABLE;
	v->slice_end = tsc_read() + quantum;
	if (__builtin_expect(!vm->first_entry_tsc, 0))
		vm->first_entry_tsc = v->slice_end - quantum;
	v->timers_changed = true;
	while (vm->state == VM_RUNNING) {
		if (__builtin_expect(v->attention, 0)) {
			if (v->timers_changed)
				rearm(v);
			if (v->irq_check) {
				deliver_irq(v);
				if (v->wait_sipi) {
					v->state = VCPU_BLOCKED;
					return;
				}
			}
		}
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
			if (!vcpu_should_wake(v)) {
				v->state = VCPU_BLOCKED;
				return;
			}
			v->irq_check = true;
			break;
		case EXIT_YIELD:
			return;
		case EXIT_RESUME:
		case EXIT_STOP:
			break;
		}
	}
}
