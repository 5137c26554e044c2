// SPDX-License-Identifier: MIT
/*
 * RDMSR/WRMSR. The MSR bitmap lets the guest touch a few MSRs directly
 * (vm.c: passthrough_msrs). Everything else exits here: an allow-list of
 * emulated MSRs below; any other MSR raises #GP in the guest, as a CPU
 * without that MSR would.
 */
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "vmm/exit.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

#define MSR_TSC              0x010
#define MSR_APIC_BASE        0x01b
#define MSR_FEATURE_CONTROL  0x03a
#define MSR_BIOS_SIGN_ID     0x08b
#define MSR_MTRRCAP          0x0fe
#define MSR_MISC_ENABLE      0x1a0
#define MSR_MTRR_VAR_FIRST   0x200
#define MSR_MTRR_VAR_LAST    0x20f
#define MSR_MTRR_FIX_64K     0x250
#define MSR_MTRR_FIX_16K_0   0x258
#define MSR_MTRR_FIX_16K_1   0x259
#define MSR_MTRR_FIX_4K_0    0x268
#define MSR_MTRR_FIX_4K_7    0x26f
#define MSR_PAT              0x277
#define MSR_MTRR_DEF_TYPE    0x2ff
#define MSR_TSC_DEADLINE     0x6e0
#define MSR_X2APIC_FIRST     0x800
#define MSR_X2APIC_LAST      0x8ff
#define MSR_EFER             0xc0000080

#define APIC_BASE_DEFAULT    0xfee00000ull
#define APIC_BASE_ENABLE     (1ull << 11)
#define APIC_BASE_BSP        (1ull << 8)
#define FEATURE_CONTROL_LOCKED 1ull
#define MTRRCAP_VALUE        (8u | 1u << 8 | 1u << 10) /* 8 variable, fixed, WC */
#define MTRR_DEF_TYPE_VALID  0xcffull                 /* E, FE, type */
#define MISC_ENABLE_FAST_STRINGS 1ull
#define MISC_ENABLE_WRITABLE (MISC_ENABLE_FAST_STRINGS)

/* Index into the vCPU's fixed-range MTRR array, or -1. */
static int fixed_mtrr(uint32_t msr)
{
	if (msr == MSR_MTRR_FIX_64K)
		return 0;
	if (msr == MSR_MTRR_FIX_16K_0 || msr == MSR_MTRR_FIX_16K_1)
		return 1 + (int)(msr - MSR_MTRR_FIX_16K_0);
	if (msr >= MSR_MTRR_FIX_4K_0 && msr <= MSR_MTRR_FIX_4K_7)
		return 3 + (int)(msr - MSR_MTRR_FIX_4K_0);
	return -1;
}

/* Memory types allowed in MTRRs and PAT entries: UC WC WT WP WB (and UC-). */
static bool valid_type(unsigned t, bool pat)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

static bool valid_types(uint64_t v, bool pat)
{
	for (int i = 0; i < 8; i++)
		if (!valid_type((v >> (i * 8)) & 0xff, pat))
			return false;
	return true;
}

/* The local APIC's MSRs, when the vCPU has one. */
static bool apic_msr(const struct vcpu *v, uint32_t msr)
{
	return v->lapic && (msr == MSR_APIC_BASE || msr == MSR_TSC_DEADLINE ||
			    (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST));
}

static int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	int fix = fixed_mtrr(msr);

	if (apic_msr(v, msr))
		return vlapic_rdmsr(v, msr, val);

	if (fix >= 0) {
		*val = v->mtrr_fixed[fix];
		return 0;
	}
	if (msr >= MSR_MTRR_VAR_FIRST && msr <= MSR_MTRR_VAR_LAST) {
		*val = v->mtrr_var[msr - MSR_MTRR_VAR_FIRST];
		return 0;
	}
	switch (msr) {
	case MSR_TSC: *val = tsc_read(); return 0;
	case MSR_APIC_BASE:
		*val = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (v->id ? 0 : APIC_BASE_BSP);
		return 0;
	case MSR_FEATURE_CONTROL: *val = FEATURE_CONTROL_LOCKED; return 0;
	case MSR_BIOS_SIGN_ID: *val = 0; return 0;
	case MSR_MTRRCAP: *val = MTRRCAP_VALUE; return 0;
	case MSR_MTRR_DEF_TYPE: *val = v->mtrr_def_type; return 0;
	case MSR_MISC_ENABLE: *val = v->misc_enable | MISC_ENABLE_FAST_STRINGS; return 0;
	case MSR_PAT: *val = vmx_guest_pat(); return 0;
	case MSR_EFER: *val = vmx_guest_efer(); return 0;
	default: return -1;
	}
}

static int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int fix = fixed_mtrr(msr);

	if (apic_msr(v, msr))
		return vlapic_wrmsr(v, msr, val);

	if (fix >= 0) {
		if (!valid_types(val, false))
			return -1;
		v->mtrr_fixed[fix] = val;
		return 0;
	}
	if (msr >= MSR_MTRR_VAR_FIRST && msr <= MSR_MTRR_VAR_LAST) {
		v->mtrr_var[msr - MSR_MTRR_VAR_FIRST] = val;
		return 0;
	}
	switch (msr) {
	case MSR_TSC: return 0; /* the guest's clock is the host's; ignored */
	case MSR_APIC_BASE:
		/* Moving or disabling the APIC is not supported: only a no-op write. */
		return val == (APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (v->id ? 0 : APIC_BASE_BSP))
			       ? 0 : -1;
	case MSR_BIOS_SIGN_ID: return 0;
	case MSR_MTRR_DEF_TYPE:
		if (val & ~MTRR_DEF_TYPE_VALID || !valid_type(val & 0xff, false))
			return -1;
		v->mtrr_def_type = val;
		return 0;
	case MSR_MISC_ENABLE:
		v->misc_enable = val & MISC_ENABLE_WRITABLE;
		return 0;
	case MSR_PAT:
		if (!valid_types(val, true))
			return -1;
		vmx_guest_write_pat(val);
		return 0;
	case MSR_EFER: return vmx_guest_write_efer(val) ? -1 : 0;
	default: return -1;
	}
}

enum exit_action exit_rdmsr(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	uint32_t msr = (uint32_t)g[GPR_RCX];
	uint64_t val;

	(void)e;
	if (msr_read(v, msr, &val)) {
		vm_info(v->vm, "rdmsr %#x: not emulated, #GP\n", msr);
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	g[GPR_RAX] = (uint32_t)val;
	g[GPR_RDX] = val >> 32;
	return EXIT_SKIP;
}

enum exit_action exit_wrmsr(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	uint32_t msr = (uint32_t)g[GPR_RCX];
	uint64_t val = (uint32_t)g[GPR_RAX] | (g[GPR_RDX] << 32);

	(void)e;
	if (msr_write(v, msr, val)) {
		vm_info(v->vm, "wrmsr %#x <- %#lx: not allowed, #GP\n", msr, (unsigned long)val);
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	return EXIT_SKIP;
}
