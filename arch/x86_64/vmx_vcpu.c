// SPDX-License-Identifier: MIT
/*
 * VMCS set-up for one vCPU, VM entry, and exit decoding. Guest-state
 * rules: SDM Vol. 3C, "Checks on the Guest State Area"; host state:
 * "Checks on Host Control Registers, MSRs and Segment Registers".
 *
 * Segment access rights (the "AR" fields) used below:
 *
 *   bit  16       15  14   13  12  11:8  7  6:5  4  3:0
 *        unusable G   D/B  L   AVL      P  DPL  S  type
 */
#define pr_fmt "vmx"
#include <stddef.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/segment.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/vmcs.h"
#include "arch/x86_64/vmx.h"
#include "arch/x86_64/vmx_asm.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "drivers/console.h"

_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RAX]) == V_RAX, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RCX]) == V_RCX, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RDX]) == V_RDX, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RBX]) == V_RBX, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RBP]) == V_RBP, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RSI]) == V_RSI, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_RDI]) == V_RDI, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_R8]) == V_R8, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, gpr[GPR_R15]) == V_R15, "vmx_asm.h");
_Static_assert(offsetof(struct vmx_vcpu, host_rsp) == V_HOST_RSP, "vmx_asm.h");
_Static_assert(VMCS_HOST_RSP == VMCS_ENC_HOST_RSP, "vmx_asm.h");

#define AR_CODE16  0x009b  /* P, S, execute/read, accessed */
#define AR_DATA16  0x0093  /* P, S, read/write, accessed */
#define AR_CODE32  0xc09b  /* + G, D */
#define AR_DATA32  0xc093
#define AR_CODE64  0xa09b  /* + G, L */
#define AR_TSS_BUSY 0x008b /* P, busy 32/64-bit TSS */
#define AR_LDT     0x0082  /* P, LDT */
#define AR_UNUSABLE 0x10000

#define INTR_INFO_HAS_ERROR (1u << 11)
#define INTERRUPTIBILITY_STI   (1u << 0)
#define INTERRUPTIBILITY_MOVSS (1u << 1)
#define INTERRUPTIBILITY_NMI   (1u << 3)
#define EXIT_REASON_ENTRY_FAIL (1u << 31)
#define RFLAGS_RESERVED1 0x2ull
#define DR7_INIT 0x400ull
#define PAT_DEFAULT 0x0007040600070406ull
#define CR0_CD (1ull << 30)
#define CR0_NW (1ull << 29)
#define CR4_PSE (1ull << 4)
#define CS_AR_L (1u << 13)
#define CS_AR_D (1u << 14)

extern char vmx_exit_entry[];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void write_host_state(void)
{
	struct pcpu *c = this_cpu();
	struct desc_ptr gdtr, idtr;

	asm volatile("sgdt %0" : "=m"(gdtr));
	asm volatile("sidt %0" : "=m"(idtr));
	vmcs_writel(VMCS_HOST_CR0, read_cr0());
	vmcs_writel(VMCS_HOST_CR3, read_cr3());
	vmcs_writel(VMCS_HOST_CR4, read_cr4());
	vmcs_write16(VMCS_HOST_CS_SEL, SEL_CODE64);
	vmcs_write16(VMCS_HOST_SS_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_DS_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_ES_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_FS_SEL, 0);
	vmcs_write16(VMCS_HOST_GS_SEL, 0);
	vmcs_write16(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_writel(VMCS_HOST_FS_BASE, 0);
	vmcs_writel(VMCS_HOST_GS_BASE, (uint64_t)c);
	vmcs_writel(VMCS_HOST_TR_BASE, (uint64_t)&c->tss);
	vmcs_writel(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_writel(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writel(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writel(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	if (vmx_caps()->exit & EXIT_LOAD_PAT)
		vmcs_write64(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmcs_writel(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

static void write_controls(uint64_t eptp, uint16_t vpid, uint64_t msr_bitmap, uint64_t io_a,
			   uint64_t io_b, bool long_mode)
{
	const struct vmx_caps *c = vmx_caps();

	/* The preemption timer runs always (the scheduler's quantum), from "never". */
	vmcs_write32(VMCS_PIN_CONTROLS, c->pin);
	if (c->preempt_timer)
		vmcs_write32(VMCS_PREEMPTION_TIMER, 0xffffffffu);
	vmcs_write32(VMCS_PROC_CONTROLS, c->proc);
	vmcs_write32(VMCS_PROC_CONTROLS2, c->proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, c->exit);
	vmcs_write32(VMCS_ENTRY_CONTROLS, c->entry | (long_mode ? ENTRY_GUEST_64BIT : 0));
	vmcs_write32(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write32(VMCS_PF_ERROR_MASK, 0);
	vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_EPT_POINTER, eptp);
	if (c->vpid)
		vmcs_write16(VMCS_VPID, vpid);
	vmcs_write64(VMCS_MSR_BITMAP, msr_bitmap);
	vmcs_write64(VMCS_IO_BITMAP_A, io_a);
	vmcs_write64(VMCS_IO_BITMAP_B, io_b);
	vmcs_write64(VMCS_TSC_OFFSET, 0);
	vmcs_write64(VMCS_VMCS_LINK_POINTER, ~0ull);
}

static void write_segment(uint32_t sel_f, uint32_t base_f, uint32_t limit_f, uint32_t ar_f,
			  uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	vmcs_write_raw(sel_f, sel);
	vmcs_write_raw(base_f, base);
	vmcs_write_raw(limit_f, limit);
	vmcs_write_raw(ar_f, ar);
}

#define SEG(name, sel, base, limit, ar)                                                  \
	write_segment(VMCS_GUEST_##name##_SEL, VMCS_GUEST_##name##_BASE,                 \
		      VMCS_GUEST_##name##_LIMIT, VMCS_GUEST_##name##_AR, sel, base, limit, ar)

/* Segments, control registers and flags for the requested start mode. */
static void write_guest_mode(struct vmx_vcpu *v, const struct vcpu_start *s)
{
	const struct vmx_caps *c = vmx_caps();
	uint64_t cr0 = CR0_ET | CR0_NE, cr4 = 0, efer = 0;
	uint32_t code_ar = AR_CODE16, data_ar = AR_DATA16, limit = 0xffff;
	uint16_t cs = s->cs, ds = 0;
	uint64_t cs_base = (uint64_t)s->cs << 4;

	if (s->mode != VCPU_START_REAL) {
		cr0 |= CR0_PE;
		code_ar = AR_CODE32;
		data_ar = AR_DATA32;
		limit = 0xffffffff;
		cs = SEL_CODE64;
		ds = SEL_DATA;
		cs_base = 0;
	}
	if (s->mode == VCPU_START_LONG64) {
		cr0 |= CR0_PG | CR0_WP;
		cr4 |= CR4_PAE;
		efer = EFER_LME | EFER_LMA;
		code_ar = AR_CODE64;
	}
	SEG(CS, cs, cs_base, limit, code_ar);
	SEG(DS, ds, 0, limit, data_ar);
	SEG(ES, ds, 0, limit, data_ar);
	SEG(SS, ds, 0, limit, data_ar);
	SEG(FS, ds, 0, limit, data_ar);
	SEG(GS, ds, 0, limit, data_ar);
	SEG(LDTR, 0, 0, 0xffff, AR_LDT);
	SEG(TR, 0, 0, 0xffff, AR_TSS_BUSY);
	vmcs_writel(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	/*
	 * The guest owns CR0/CR4 except the bits VMX forces (fixed-1 bits
	 * other than PE/PG, which unrestricted guest frees, and CR4.VMXE):
	 * those are masked, and the guest reads its own value from the shadow.
	 */
	v->cr0_shadow_mask = (c->cr0_fixed0 & ~(CR0_PE | CR0_PG)) | CR0_CD | CR0_NW;
	v->cr4_shadow_mask = c->cr4_fixed0 | CR4_VMXE;
	vmcs_writel(VMCS_CR0_GUEST_HOST_MASK, v->cr0_shadow_mask);
	vmcs_writel(VMCS_CR4_GUEST_HOST_MASK, v->cr4_shadow_mask);
	vmcs_writel(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_writel(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_writel(VMCS_GUEST_CR0, (cr0 | (c->cr0_fixed0 & ~(CR0_PE | CR0_PG))) & ~(CR0_CD | CR0_NW));
	vmcs_writel(VMCS_GUEST_CR4, cr4 | c->cr4_fixed0);
	vmcs_writel(VMCS_GUEST_CR3, s->cr3);
	vmcs_write64(VMCS_GUEST_EFER, efer);
}

static void write_guest_state(struct vmx_vcpu *v, const struct vcpu_start *s)
{
	write_guest_mode(v, s);
	vmcs_writel(VMCS_GUEST_RIP, s->rip);
	vmcs_writel(VMCS_GUEST_RSP, s->rsp);
	vmcs_writel(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1);
	vmcs_writel(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_writel(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write64(VMCS_GUEST_PAT, PAT_DEFAULT);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, 0);
	memcpy(v->gpr, s->gpr, sizeof(v->gpr));
}

/*
 * MSRs the guest uses directly (no exits) that VMX does not switch; the
 * last, TSC_AUX (what RDTSCP returns), only where the guest has RDTSCP.
 */
static const uint32_t switched_msrs[VMX_SWITCHED_MSRS] = {
	MSR_KERNEL_GS_BASE, 0xc0000081 /* STAR */, 0xc0000082 /* LSTAR */,
	0xc0000083 /* CSTAR */, 0xc0000084 /* SFMASK */, 0xc0000103 /* TSC_AUX */,
};

static unsigned nr_switched(void)
{
	return vmx_caps()->proc2 & PROC2_ENABLE_RDTSCP ? VMX_SWITCHED_MSRS : VMX_SWITCHED_MSRS - 1;
}

void vmx_vcpu_load(struct vmx_vcpu *v)
{
	struct pcpu *c = this_cpu();

	if (c->current_vmcs != v->vmcs) {
		if (vmcs_load(v->vmcs))
			panic("vmx: VMPTRLD of a live VMCS failed");
		c->current_vmcs = v->vmcs;
	}
	if (v->cpu != (int)c->id) {
		/* First run here: this CPU's host state; VMCLEAR'd, so launch anew. */
		write_host_state();
		v->cpu = (int)c->id;
		v->launched = false;
	}
	for (unsigned i = 0, n = nr_switched(); i < n; i++)
		wrmsr(switched_msrs[i], v->msrs[i]);
	write_cr2(v->cr2);
	fpu_load((void *)(uintptr_t)v->fpu_area, v->xcr0);
}

void vmx_vcpu_put(struct vmx_vcpu *v)
{
	for (unsigned i = 0, n = nr_switched(); i < n; i++)
		v->msrs[i] = rdmsr(switched_msrs[i]);
	v->cr2 = read_cr2();
	fpu_save((void *)(uintptr_t)v->fpu_area);
}

void vmx_host_interrupt(uint32_t info)
{
	if (info & INTR_INFO_VALID)
		irq_dispatch(info & 0xff);
}

void vmx_set_guest_cr2(uint64_t cr2)
{
	write_cr2(cr2);
}

int vmx_guest_xsetbv(struct vmx_vcpu *v, uint64_t xcr0)
{
	/* x87 always; AVX needs SSE (SDM Vol. 1, "XSETBV"). */
	if (xcr0 & ~fpu_xcr0_supported() || !(xcr0 & 1) || ((xcr0 & 4) && !(xcr0 & 2)))
		return -EINVAL;
	v->xcr0 = xcr0;
	fpu_set_xcr0(xcr0);
	return 0;
}

int vmx_vcpu_init(struct vmx_vcpu *v, uint64_t eptp, uint16_t vpid, uint64_t msr_bitmap,
		  uint64_t io_bitmap_a, uint64_t io_bitmap_b, const struct vcpu_start *start)
{
	uint64_t vmcs = pmm_alloc_page();
	uint64_t fpu_pages = fpu_area_size() / PAGE_SIZE;
	uint64_t fpu = pmm_alloc(fpu_pages, PAGE_SIZE, LOW_MEM_END, ~0ull);

	if (!vmcs || !fpu) {
		if (vmcs)
			pmm_free(vmcs, 1);
		if (fpu)
			pmm_free(fpu, fpu_pages);
		return -ENOMEM;
	}
	memset((void *)vmcs, 0, PAGE_SIZE);
	*(uint32_t *)vmcs = vmx_caps()->revision;
	memset(v, 0, sizeof(*v));
	v->vmcs = vmcs;
	v->fpu_area = fpu;
	v->xcr0 = 1; /* x87 */
	fpu_area_init((void *)(uintptr_t)fpu);
	if (vpid)
		vmx_invvpid(vpid);
	vmx_invept(eptp);
	v->cpu = (int)this_cpu()->id;
	if (vmcs_clear(vmcs) || vmcs_load(vmcs)) {
		pr_err("VMCLEAR/VMPTRLD of a fresh VMCS failed\n");
		pmm_free(vmcs, 1);
		return -EIO;
	}
	this_cpu()->vmcs_fail_field = 0;
	write_host_state();
	write_controls(eptp, vpid, msr_bitmap, io_bitmap_a, io_bitmap_b,
		       start->mode == VCPU_START_LONG64);
	write_guest_state(v, start);
	if (vmcs_check("vCPU set-up")) {
		vmcs_dump();
		return -EIO;
	}
	/* Not current anywhere: any CPU may load it (vmx_vcpu_load). */
	vmcs_clear(vmcs);
	this_cpu()->current_vmcs = 0;
	return 0;
}

void vmx_vcpu_release(struct vmx_vcpu *v)
{
	vmcs_clear(v->vmcs);
	if (this_cpu()->current_vmcs == v->vmcs)
		this_cpu()->current_vmcs = 0;
	v->cpu = -1;
}

void vmx_vcpu_free(struct vmx_vcpu *v)
{
	if (!v->vmcs)
		return;
	vmcs_clear(v->vmcs);
	pmm_free(v->vmcs, 1);
	pmm_free(v->fpu_area, fpu_area_size() / PAGE_SIZE);
	v->vmcs = 0;
}

/*
 * What each exit reason needs beyond the reason itself, so that the hot
 * exits read only their few fields: in Bochs every instruction is a tick.
 * A handler may read only the struct vmexit fields its reason is listed
 * with here; the others hold stale values.
 */
const uint8_t vmx_exit_needs[NR_EXIT_REASONS] = {
	[EXIT_EXCEPTION_NMI] = NEED_INTR | NEED_RIP | NEED_QUAL,
	[EXIT_EXTERNAL_INT] = NEED_INTR,
	[EXIT_CPUID] = NEED_SKIPPABLE, [EXIT_HLT] = NEED_SKIPPABLE, [EXIT_INVD] = NEED_SKIPPABLE,
	[EXIT_VMCALL] = NEED_SKIPPABLE, [EXIT_RDMSR] = NEED_SKIPPABLE, [EXIT_WRMSR] = NEED_SKIPPABLE,
	[EXIT_WBINVD] = NEED_SKIPPABLE, [EXIT_XSETBV] = NEED_SKIPPABLE, [EXIT_MWAIT] = NEED_SKIPPABLE,
	[EXIT_MONITOR] = NEED_SKIPPABLE, [EXIT_PAUSE] = NEED_SKIPPABLE, [EXIT_RDPMC] = NEED_SKIPPABLE,
	[EXIT_CR_ACCESS] = NEED_SKIPPABLE | NEED_QUAL,
	[EXIT_IO] = NEED_SKIPPABLE | NEED_QUAL,
	[EXIT_EPT_VIOLATION] = NEED_QUAL | NEED_GPA | NEED_RIP | NEED_VECT,
	[EXIT_EPT_MISCONFIG] = NEED_GPA | NEED_RIP,
	[EXIT_VMCLEAR] = NEED_SKIPPABLE, [EXIT_VMLAUNCH] = NEED_SKIPPABLE, [EXIT_VMPTRLD] = NEED_SKIPPABLE,
	[EXIT_VMPTRST] = NEED_SKIPPABLE, [EXIT_VMREAD] = NEED_SKIPPABLE, [EXIT_VMRESUME] = NEED_SKIPPABLE,
	[EXIT_VMWRITE] = NEED_SKIPPABLE, [EXIT_VMXOFF] = NEED_SKIPPABLE, [EXIT_VMXON] = NEED_SKIPPABLE,
	[EXIT_INVEPT] = NEED_SKIPPABLE, [EXIT_INVVPID] = NEED_SKIPPABLE, [EXIT_VMFUNC] = NEED_SKIPPABLE,
	[EXIT_TRIPLE_FAULT] = NEED_RIP,
	[EXIT_BAD_GUEST_STATE] = NEED_QUAL | NEED_RIP,
};

void vmx_decode_more(struct vmexit *e, unsigned need)
{
	if (need & NEED_QUAL)
		e->qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	if (need & NEED_GPA) {
		e->gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDR);
		e->gla = vmcs_readl(VMCS_GUEST_LINEAR_ADDR);
	}
	if (need & NEED_INTR) {
		e->intr_info = vmcs_read32(VMCS_EXIT_INTR_INFO);
		e->intr_error = vmcs_read32(VMCS_EXIT_INTR_ERROR);
	}
	if (need & NEED_INFO)
		e->insn_info = vmcs_read32(VMCS_EXIT_INSN_INFO);
	if (need & NEED_VECT)
		e->vect_info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
}

int vmx_entry_failed(struct vmx_vcpu *v)
{
	uint32_t err = vmcs_read32(VMCS_VM_INSTRUCTION_ERROR);

	pr_err("%s failed: VM-instruction error %u (%s)\n", v->launched ? "VMRESUME" : "VMLAUNCH",
	       err, vmcs_insn_error_name(err));
	return -EIO;
}

void vmx_set_guest_rip(uint64_t rip)
{
	vmcs_write_fast(VMCS_GUEST_RIP, rip);
}

uint64_t vmx_guest_rflags(void)
{
	return vmcs_read_fast(VMCS_GUEST_RFLAGS);
}

void vmx_set_guest_rflags(uint64_t rflags)
{
	vmcs_writel(VMCS_GUEST_RFLAGS, rflags);
}

uint64_t vmx_guest_rsp(void)
{
	return vmcs_read_fast(VMCS_GUEST_RSP);
}

void vmx_set_guest_rsp(uint64_t rsp)
{
	vmcs_writel(VMCS_GUEST_RSP, rsp);
}

uint64_t vmx_guest_cr0(void)
{
	uint64_t mask = vmcs_readl(VMCS_CR0_GUEST_HOST_MASK);

	return (vmcs_readl(VMCS_GUEST_CR0) & ~mask) | (vmcs_readl(VMCS_CR0_READ_SHADOW) & mask);
}

uint64_t vmx_guest_cr3(void)
{
	return vmcs_readl(VMCS_GUEST_CR3);
}

uint64_t vmx_guest_cr4(void)
{
	uint64_t mask = vmcs_readl(VMCS_CR4_GUEST_HOST_MASK);

	return (vmcs_readl(VMCS_GUEST_CR4) & ~mask) | (vmcs_readl(VMCS_CR4_READ_SHADOW) & mask);
}

uint64_t vmx_guest_efer(void)
{
	return vmcs_read64(VMCS_GUEST_EFER);
}

unsigned vmx_guest_phys_bits(void)
{
	static unsigned bits;

	if (!bits)
		bits = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;
	return bits;
}

bool vmx_guest_has_1g_pages(void)
{
	static int has = -1;

	if (has < 0)
		has = cpuid(0x80000000, 0).eax >= 0x80000001 &&
		      (cpuid(0x80000001, 0).edx & (1u << 26));
	return has;
}

void vmx_guest_paging(struct vmx_paging *p)
{
	/* PG, WP, PAE, PSE, SMEP, SMAP, LA57 are guest-owned: the raw fields hold them. */
	p->cr0 = vmcs_read_fast(VMCS_GUEST_CR0);
	p->cr3 = vmcs_read_fast(VMCS_GUEST_CR3);
	p->cr4 = vmcs_read_fast(VMCS_GUEST_CR4);
	p->efer = vmcs_read_fast(VMCS_GUEST_EFER);
}

unsigned vmx_guest_cpl(void)
{
	return (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;
}

uint64_t vmx_guest_cs_base(void)
{
	return vmcs_read_fast(VMCS_GUEST_CS_BASE);
}

uint64_t vmx_guest_ds_base(void)
{
	return vmcs_readl(VMCS_GUEST_DS_BASE);
}

unsigned vmx_guest_code_bits(void)
{
	/* CR0.PE is guest-owned (unrestricted guest): the raw field has it. */
	uint32_t ar = (uint32_t)vmcs_read_fast(VMCS_GUEST_CS_AR);

	if (!(vmcs_read_fast(VMCS_GUEST_CR0) & CR0_PE))
		return 16;
	if ((ar & CS_AR_L) && (vmcs_read_fast(VMCS_GUEST_EFER) & EFER_LMA))
		return 64;
	return ar & CS_AR_D ? 32 : 16;
}

/* Keep IA-32e mode (entry control and EFER.LMA) in step with CR0.PG. */
static void sync_long_mode(void)
{
	uint64_t efer = vmcs_read64(VMCS_GUEST_EFER);
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CONTROLS);
	bool lma = (efer & EFER_LME) && (vmx_guest_cr0() & CR0_PG);

	efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
	vmcs_write64(VMCS_GUEST_EFER, efer);
	vmcs_write32(VMCS_ENTRY_CONTROLS, lma ? entry | ENTRY_GUEST_64BIT : entry & ~ENTRY_GUEST_64BIT);
}

int vmx_guest_write_cr0(struct vmx_vcpu *v, uint64_t val)
{
	const struct vmx_caps *c = vmx_caps();

	/* SDM Vol. 3A, "CR0": PG without PE, NW without CD are #GP. */
	if (val >> 32 || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return -EINVAL;
	if ((val & CR0_PG) && (vmx_guest_efer() & EFER_LME) && !(vmx_guest_cr4() & CR4_PAE))
		return -EINVAL;
	vmcs_writel(VMCS_CR0_READ_SHADOW, val);
	vmcs_writel(VMCS_GUEST_CR0, (val | (c->cr0_fixed0 & v->cr0_shadow_mask)) &
					    ~(CR0_CD | CR0_NW));
	sync_long_mode();
	return 0;
}

int vmx_guest_write_cr4(struct vmx_vcpu *v, uint64_t val)
{
	if (val & CR4_VMXE)
		return -EINVAL; /* no nested VMX */
	if ((vmx_guest_efer() & EFER_LMA) && !(val & CR4_PAE))
		return -EINVAL;
	vmcs_writel(VMCS_CR4_READ_SHADOW, val);
	vmcs_writel(VMCS_GUEST_CR4, val | vmx_caps()->cr4_fixed0);
	(void)v;
	return 0;
}

void vmx_guest_write_cr3(uint64_t val)
{
	vmcs_writel(VMCS_GUEST_CR3, val);
}

int vmx_guest_write_efer(uint64_t val)
{
	uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

	if (val & ~allowed)
		return -EINVAL;
	/* LMA is the CPU's to set: keep the current one. */
	val = (val & ~EFER_LMA) | (vmx_guest_efer() & EFER_LMA);
	vmcs_write64(VMCS_GUEST_EFER, val);
	sync_long_mode();
	return 0;
}

uint64_t vmx_guest_pat(void)
{
	return vmcs_read64(VMCS_GUEST_PAT);
}

void vmx_guest_write_pat(uint64_t val)
{
	vmcs_write64(VMCS_GUEST_PAT, val);
}

void vmx_set_guest_pdptes(const uint64_t pdpte[4])
{
	vmcs_write64(VMCS_GUEST_PDPTE0, pdpte[0]);
	vmcs_write64(VMCS_GUEST_PDPTE1, pdpte[1]);
	vmcs_write64(VMCS_GUEST_PDPTE2, pdpte[2]);
	vmcs_write64(VMCS_GUEST_PDPTE3, pdpte[3]);
}

void vmx_inject(unsigned type, unsigned vector, bool has_error, uint32_t error)
{
	uint32_t info = INTR_INFO_VALID | (type << 8) | (vector & 0xff);

	if (has_error) {
		info |= INTR_INFO_HAS_ERROR;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
}

bool vmx_event_pending(void)
{
	return vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

void vmx_request_intr_window(bool on)
{
	uint32_t proc = vmcs_read32(VMCS_PROC_CONTROLS);

	vmcs_write32(VMCS_PROC_CONTROLS, on ? proc | PROC_INTR_WINDOW : proc & ~PROC_INTR_WINDOW);
}

bool vmx_guest_interruptible(void)
{
	return (vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

bool vmx_guest_nmi_allowed(void)
{
	return !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS | INTERRUPTIBILITY_NMI));
}

void vmx_vcpu_restart(struct vmx_vcpu *v, const struct vcpu_start *s)
{
	write_guest_state(v, s);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	sync_long_mode();
	v->skip = false;
}

void vmx_clear_interrupt_shadow(void)
{
	uint32_t s = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

	if (s & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
			     s & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

void vmx_set_preemption_timer(uint64_t tsc_ticks)
{
	const struct vmx_caps *c = vmx_caps();
	uint64_t v = tsc_ticks >> c->preempt_shift;

	if (c->preempt_timer)
		vmcs_write32(VMCS_PREEMPTION_TIMER, v > 0xffffffffu ? 0xffffffffu : v ? (uint32_t)v : 1);
}

void vmx_vcpu_dump(const struct vmx_vcpu *v)
{
	static const char *const names[NR_GPRS] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
						    "RSI", "RDI", "R8",  "R9",  "R10", "R11",
						    "R12", "R13", "R14", "R15" };

	for (int i = 0; i < NR_GPRS; i += 4) {
		uint64_t r[4];

		for (int k = 0; k < 4; k++)
			r[k] = i + k == GPR_RSP ? vmcs_readl(VMCS_GUEST_RSP) : v->gpr[i + k];
		console_printf("  %-3s %016lx  %-3s %016lx  %-3s %016lx  %-3s %016lx\n", names[i],
			       (unsigned long)r[0], names[i + 1], (unsigned long)r[1], names[i + 2],
			       (unsigned long)r[2], names[i + 3], (unsigned long)r[3]);
	}
	console_printf("  RIP %016lx RFLAGS %016lx CR0 %lx CR3 %lx CR4 %lx EFER %lx\n",
		       (unsigned long)vmcs_readl(VMCS_GUEST_RIP),
		       (unsigned long)vmcs_readl(VMCS_GUEST_RFLAGS), (unsigned long)vmx_guest_cr0(),
		       (unsigned long)vmx_guest_cr3(), (unsigned long)vmx_guest_cr4(),
		       (unsigned long)vmx_guest_efer());
	vmcs_dump();
}
