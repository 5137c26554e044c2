// SPDX-License-Identifier: MIT
/*
 * Control-register exits (SDM Vol. 3C, "Exit Qualification for
 * Control-Register Accesses"):
 *
 *   bits 3:0 CR number   bits 5:4 type (0 MOV to CR, 1 MOV from CR,
 *   2 CLTS, 3 LMSW)      bits 11:8 GPR    bits 31:16 LMSW source data
 *
 * Only bits we own (CR0/CR4 guest/host masks) exit; the guest keeps the
 * rest. With PAE paging outside long mode, a change of CR0/CR3/CR4 reloads
 * the PDPTEs from guest memory, as the CPU would (EPT keeps them in the
 * VMCS).
 */
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "vmm/exit.h"
#include "vmm/gmem.h"
#include "vmm/vm.h"

#define CRQ_NR(q)    ((unsigned)((q) & 0xf))
#define CRQ_TYPE(q)  ((unsigned)(((q) >> 4) & 3))
#define CRQ_GPR(q)   ((unsigned)(((q) >> 8) & 0xf))
#define CRQ_LMSW(q)  ((uint16_t)((q) >> 16))
#define CR_MOV_TO    0
#define CR_MOV_FROM  1
#define CR_CLTS      2
#define CR_LMSW      3
#define CR0_TS       (1ull << 3)
#define LMSW_BITS    0xfull /* PE MP EM TS */
#define PDPTE_P      1ull
#define PDPTE_RSVD   0x1e6ull /* bits 2:1, 8:5 must be 0 */

/* Reload PDPTEs when the guest uses PAE paging outside long mode. 0 or -EINVAL. */
static int load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4];
	uint64_t cr3 = vmx_guest_cr3() & ~0x1full;

	if (!(vmx_guest_cr0() & CR0_PG) || !(vmx_guest_cr4() & CR4_PAE) ||
	    (vmx_guest_efer() & EFER_LMA))
		return 0;
	if (gmem_read(v->vm, gpa(cr3), pdpte, sizeof(pdpte)))
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & PDPTE_P) && (pdpte[i] & PDPTE_RSVD))
			return -EINVAL;
	vmx_set_guest_pdptes(pdpte);
	return 0;
}

static int mov_to_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	int err;

	switch (cr) {
	case 0: err = vmx_guest_write_cr0(&v->arch, val); break;
	case 3: vmx_guest_write_cr3(val); err = 0; break;
	case 4: err = vmx_guest_write_cr4(&v->arch, val); break;
	default: return -EINVAL;
	}
	return err ? err : load_pdptes(v);
}

enum exit_action exit_cr_access(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	unsigned cr = CRQ_NR(e->qual), reg = CRQ_GPR(e->qual);
	uint64_t cr0 = vmx_guest_cr0();
	int err = 0;

	if (reg == GPR_RSP)
		return vcpu_fatal(v, e, "CR access through RSP is not emulated");
	switch (CRQ_TYPE(e->qual)) {
	case CR_MOV_TO:
		err = mov_to_cr(v, cr, g[reg]);
		break;
	case CR_MOV_FROM:
		if (cr != 3)
			return vcpu_fatal(v, e, "unexpected MOV from CR exit");
		g[reg] = vmx_guest_cr3();
		break;
	case CR_CLTS:
		err = vmx_guest_write_cr0(&v->arch, cr0 & ~CR0_TS);
		break;
	case CR_LMSW:
		/* LMSW can set PE but not clear it. */
		err = vmx_guest_write_cr0(&v->arch, (cr0 & ~(LMSW_BITS & ~CR0_PE)) |
							    (CRQ_LMSW(e->qual) & LMSW_BITS));
		break;
	}
	if (err) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	return EXIT_SKIP;
}
