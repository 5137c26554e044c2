/* SPDX-License-Identifier: MIT */
/*
 * The hardware side of a virtual CPU: its VMCS, guest registers, how it
 * starts, and one VM entry at a time. vmm/ drives this interface and sees
 * exits only as a decoded struct vmexit.
 */
#ifndef ARCH_VMX_VCPU_H
#define ARCH_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>

/* General registers in hardware encoding order (ModRM reg numbers). */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	NR_GPRS
};

/* Basic exit reasons (SDM Vol. 3D, Appendix C "VMX Basic Exit Reasons"). */
enum exit_reason {
	EXIT_EXCEPTION_NMI = 0, EXIT_EXTERNAL_INT = 1, EXIT_TRIPLE_FAULT = 2,
	EXIT_INIT = 3, EXIT_SIPI = 4, EXIT_INTR_WINDOW = 7, EXIT_NMI_WINDOW = 8,
	EXIT_TASK_SWITCH = 9, EXIT_CPUID = 10, EXIT_GETSEC = 11, EXIT_HLT = 12,
	EXIT_INVD = 13, EXIT_INVLPG = 14, EXIT_RDPMC = 15, EXIT_RDTSC = 16,
	EXIT_RSM = 17, EXIT_VMCALL = 18, EXIT_VMCLEAR = 19, EXIT_VMLAUNCH = 20,
	EXIT_VMPTRLD = 21, EXIT_VMPTRST = 22, EXIT_VMREAD = 23, EXIT_VMRESUME = 24,
	EXIT_VMWRITE = 25, EXIT_VMXOFF = 26, EXIT_VMXON = 27, EXIT_CR_ACCESS = 28,
	EXIT_DR_ACCESS = 29, EXIT_IO = 30, EXIT_RDMSR = 31, EXIT_WRMSR = 32,
	EXIT_BAD_GUEST_STATE = 33, EXIT_MSR_LOADING = 34, EXIT_MWAIT = 36,
	EXIT_MTF = 37, EXIT_MONITOR = 39, EXIT_PAUSE = 40, EXIT_MACHINE_CHECK = 41,
	EXIT_TPR_BELOW = 43, EXIT_APIC_ACCESS = 44, EXIT_EOI_INDUCED = 45,
	EXIT_GDTR_IDTR = 46, EXIT_LDTR_TR = 47, EXIT_EPT_VIOLATION = 48,
	EXIT_EPT_MISCONFIG = 49, EXIT_INVEPT = 50, EXIT_RDTSCP = 51,
	EXIT_PREEMPT_TIMER = 52, EXIT_INVVPID = 53, EXIT_WBINVD = 54, EXIT_XSETBV = 55,
	EXIT_APIC_WRITE = 56, EXIT_RDRAND = 57, EXIT_INVPCID = 58, EXIT_VMFUNC = 59,
	EXIT_ENCLS = 60, EXIT_RDSEED = 61, EXIT_PML_FULL = 62, EXIT_XSAVES = 63,
	EXIT_XRSTORS = 64,
	NR_EXIT_REASONS = 80
};

/* One VM exit, decoded once by arch code. Fields a reason does not use are 0. */
struct vmexit {
	uint32_t reason;    /* basic exit reason */
	bool entry_failed;  /* VM-entry failure (bit 31 of the exit reason) */
	uint32_t insn_len;
	uint64_t rip;
	uint64_t qual;      /* exit qualification */
	uint64_t gpa;       /* EPT violations */
	uint64_t gla;       /* EPT violations with a valid linear address */
	uint32_t intr_info; /* exception/NMI/interrupt exits */
	uint32_t intr_error;
	uint32_t insn_info;
	uint32_t vect_info; /* EPT violations: the event being delivered (IDT-vectoring information) */
};

enum vcpu_start_mode {
	VCPU_START_REAL,   /* unrestricted guest, CS:IP as given */
	VCPU_START_PROT32, /* flat 32-bit protected mode, paging off */
	VCPU_START_LONG64, /* 64-bit mode with the given page tables */
};

struct vcpu_start {
	enum vcpu_start_mode mode;
	uint64_t rip, rsp;
	uint16_t cs;   /* real mode: CS selector (base = cs << 4) */
	uint64_t cr3;  /* long mode: guest-physical PML4 */
	uint64_t gpr[NR_GPRS]; /* initial registers (rsp taken from .rsp) */
};

/* Event injection (SDM Vol. 3C, "VM-Entry Controls for Event Injection"). */
#define EVENT_TYPE_EXT_INT   0
#define EVENT_TYPE_NMI       2
#define EVENT_TYPE_HW_EXC    3
#define EVENT_TYPE_SW_INT    4
#define INTR_INFO_VALID      (1u << 31)

#define VMX_SWITCHED_MSRS 6

struct vmx_vcpu {
	/*
	 * Guest registers. gpr[GPR_RSP], rip and rflags live in the VMCS; these
	 * slots are scratch for the instruction emulator, which works on
	 * gpr/rip/rflags in place (vmm/exit_mmio.c checks the layout).
	 */
	uint64_t gpr[NR_GPRS];
	uint64_t rip, rflags;
	uint64_t host_rsp;     /* cached HOST_RSP, written when it changes */
	uint64_t vmcs;         /* physical address */
	bool launched;
	bool skip;             /* advance RIP past the exit's instruction at the next entry */
	int cpu;               /* pCPU whose current VMCS this is, -1 none */
	uint64_t cr0_shadow_mask, cr4_shadow_mask; /* bits the guest may not own */
	uint64_t msrs[VMX_SWITCHED_MSRS]; /* switched MSRs (vmx_vcpu.c: switched_msrs) */
	uint64_t cr2;          /* guest CR2 while not loaded (VMX does not switch it) */
	uint64_t xcr0;         /* guest XCR0 */
	uint64_t fpu_area;     /* host-physical XSAVE area (fpu.h) */
};

/*
 * Create the VMCS for a vCPU of a VM with the given EPT pointer, VPID
 * (0: none), MSR bitmap and I/O bitmaps (physical addresses), make it
 * current on this CPU and set its initial state. 0 or negative errno
 * (logged, VMCS dumped).
 */
int vmx_vcpu_init(struct vmx_vcpu *v, uint64_t eptp, uint16_t vpid, uint64_t msr_bitmap,
		  uint64_t io_bitmap_a, uint64_t io_bitmap_b, const struct vcpu_start *start);
void vmx_vcpu_free(struct vmx_vcpu *v);

/*
 * Make v's state current on this CPU (VMCS, FPU, CR2, switched MSRs) /
 * save it back. Every vmx_vcpu_run() is bracketed by load and put.
 */
void vmx_vcpu_load(struct vmx_vcpu *v);
void vmx_vcpu_put(struct vmx_vcpu *v);
/* VMCLEAR on the CPU that ran v last (after put), before freeing or moving it. */
void vmx_vcpu_release(struct vmx_vcpu *v);


/* Guest state the exit handlers use (current VMCS). */
void vmx_set_guest_rip(uint64_t rip);
/*
 * Advance the guest past the instruction that caused the last exit (whose
 * struct vmexit must be passed to the next vmx_vcpu_run()). Only for the
 * exits with an instruction length (see exit_needs in vmx_vcpu.c).
 */
static inline void vmx_skip_insn(struct vmx_vcpu *v)
{
	v->skip = true;
}
uint64_t vmx_guest_rflags(void);
void vmx_set_guest_rflags(uint64_t rflags);
uint64_t vmx_guest_rsp(void);
void vmx_set_guest_rsp(uint64_t rsp);
uint64_t vmx_guest_cr0(void);      /* as the guest sees it */
uint64_t vmx_guest_cr3(void);
uint64_t vmx_guest_cr4(void);      /* as the guest sees it */
uint64_t vmx_guest_efer(void);
/* Guest physical-address width and 1 GiB page support (from CPUID). */
unsigned vmx_guest_phys_bits(void);
bool vmx_guest_has_1g_pages(void);
/* The guest's paging controls, for page walks (one read each). */
struct vmx_paging {
	uint64_t cr0, cr3, cr4, efer;
};
void vmx_guest_paging(struct vmx_paging *p);
/* Current privilege level of the guest (SS.DPL). */
unsigned vmx_guest_cpl(void);
/* Guest segment bases (CS, DS, ES, SS) for linear-address arithmetic. */
uint64_t vmx_guest_cs_base(void);
uint64_t vmx_guest_ds_base(void);
/* Guest CPU mode for instruction decoding: 16, 32 or 64. */
unsigned vmx_guest_code_bits(void);
/* CR0/CR4 writes the guest made (CR-access exits): 0 or -EINVAL (inject #GP). */
int vmx_guest_write_cr0(struct vmx_vcpu *v, uint64_t val);
int vmx_guest_write_cr4(struct vmx_vcpu *v, uint64_t val);
void vmx_guest_write_cr3(uint64_t val);
int vmx_guest_write_efer(uint64_t val);
uint64_t vmx_guest_pat(void);
void vmx_guest_write_pat(uint64_t val);
void vmx_set_guest_pdptes(const uint64_t pdpte[4]);
void vmx_set_guest_cr2(uint64_t cr2);
/* XSETBV on the guest's behalf: 0, or -EINVAL (the caller injects #GP). */
int vmx_guest_xsetbv(struct vmx_vcpu *v, uint64_t xcr0);
/* Run the host handler of an interrupt that arrived during the guest. */
void vmx_host_interrupt(uint32_t exit_intr_info);
/* Queue an event for the next VM entry. */
void vmx_inject(unsigned type, unsigned vector, bool has_error, uint32_t error);
/* Is an event already queued for the next entry? */
bool vmx_event_pending(void);
/* Interrupt-window exiting on/off. */
void vmx_request_intr_window(bool on);
/* Is the guest able to take an external interrupt now (IF=1, no STI/MOV-SS block)? */
bool vmx_guest_interruptible(void);
/* Clear STI/MOV-SS blocking (after emulating an instruction such as HLT). */
void vmx_clear_interrupt_shadow(void);
/* No STI/MOV SS shadow and no NMI blocking: an NMI may be injected. */
bool vmx_guest_nmi_allowed(void);
/* Put the current VMCS's guest back to a start state (INIT-SIPI). */
void vmx_vcpu_restart(struct vmx_vcpu *v, const struct vcpu_start *s);
/*
 * Set the preemption timer: an exit after about tsc_ticks of guest time.
 * With vmx_caps()->preempt_saved it counts across exits (a quantum), else
 * it restarts at every entry.
 */
void vmx_set_preemption_timer(uint64_t tsc_ticks);
/* Print the guest registers and the VMCS. */
void vmx_vcpu_dump(const struct vmx_vcpu *v);

/*
 * The VM entry/exit round trip, inline because it is the hottest path of
 * the hypervisor (every Bochs instruction is a benchmark tick).
 */
#include "arch/x86_64/vmcs.h"

/* What each exit reason needs decoded (vmx_vcpu.c). */
enum { NEED_LEN = 1, NEED_QUAL = 2, NEED_GPA = 4, NEED_INTR = 8, NEED_INFO = 16,
       NEED_RIP = 32, NEED_VECT = 64 };
#define NEED_SKIPPABLE (NEED_LEN | NEED_RIP)
#define EXIT_REASON_FAILED (1u << 31)
extern const uint8_t vmx_exit_needs[NR_EXIT_REASONS];
void vmx_decode_more(struct vmexit *e, unsigned need);
int vmx_entry_failed(struct vmx_vcpu *v) __attribute__((cold));
int vmx_enter(struct vmx_vcpu *v, int launched);

/*
 * Decode an exit: the reason, and only the fields that reason uses
 * (vmx_exit_needs). A handler may read only those; the others are stale.
 */
static inline void vmx_decode_exit(uint32_t raw, struct vmexit *e)
{
	/* A failed entry keeps bit 31: out of the table's range. */
	uint32_t reason = raw & (0xffff | EXIT_REASON_FAILED);
	unsigned need = reason < NR_EXIT_REASONS ? vmx_exit_needs[reason] : NEED_QUAL | NEED_RIP;

	e->reason = reason & 0xffff;
	e->entry_failed = raw & EXIT_REASON_FAILED;
	if (need & NEED_RIP)
		e->rip = vmcs_read_fast(VMCS_GUEST_RIP);
	if (need & NEED_LEN)
		e->insn_len = (uint32_t)vmcs_read_fast(VMCS_EXIT_INSN_LEN);
	if (need & ~NEED_SKIPPABLE)
		vmx_decode_more(e, need);
}

/*
 * Enter the guest and return at its next exit, decoded into *exit (the
 * same struct each time: a pending skip uses the previous exit's RIP and
 * length). 0, or -EIO when VM entry failed (logged).
 */
static inline int vmx_vcpu_run(struct vmx_vcpu *v, struct vmexit *exit)
{
	if (v->skip) {
		vmcs_write_fast(VMCS_GUEST_RIP, exit->rip + exit->insn_len);
		v->skip = false;
	}
	if (__builtin_expect(vmx_enter(v, v->launched), 0))
		return vmx_entry_failed(v);
	v->launched = true;
	vmx_decode_exit((uint32_t)vmcs_read_fast(VMCS_EXIT_REASON), exit);
	return 0;
}

#endif
