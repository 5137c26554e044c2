// SPDX-License-Identifier: MIT
/*
 * CPUID: the host's answers, minus what Basalt does not virtualize, plus
 * a hypervisor range:
 *
 *   0x40000000  EAX = 0x40000010 (highest hypervisor leaf),
 *               EBX ECX EDX = "BasaltBasalt"
 *   0x40000010  EAX = TSC frequency in kHz, EBX = 0 (no emulated bus clock)
 *
 * Leaf 1 loses VMX, MONITOR/MWAIT (they #UD) and the features whose MSRs
 * are not emulated (debug store, thermal/power control, perfmon
 * capabilities), and gains the hypervisor bit, TSC-deadline (emulated) and
 * OSXSAVE as the guest's CR4 says. Leaf 6 keeps only ARAT, leaf 7 loses
 * TSC_ADJUST, leaf 0xa (perfmon) is empty, leaf 0xd loses XSAVES and the
 * IA32_XSS components (the MSR is not switched). Topology
 * (leaves 1, 4, 0xb, 0x1f): each vCPU is one core of a single package, no
 * SMT; APIC ID = vCPU index. Leaf 0x15 names the crystal the emulated
 * local APIC timer counts at, exact to the Hz (vlapic_clock).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/tsc.h"
#include "vmm/exit.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

#define HV_LEAF_BASE   0x40000000u
#define HV_LEAF_TIMING 0x40000010u
#define HV_SIG_EBX     0x61736142u /* "Basa" */
#define HV_SIG_ECX     0x6142746cu /* "ltBa" */
#define HV_SIG_EDX     0x746c6173u /* "salt" */
/*
 * Leaf 1 features whose MSRs Basalt does not emulate: debug store
 * (DTES64, DS-CPL, DS), thermal and power control (EIST, TM2, ACPI, TM,
 * PBE), perfmon capabilities (PDCM).
 */
#define L1_ECX_HIDDEN  ((1u << 2) | (1u << 4) | (1u << 7) | (1u << 8) | (1u << 15))
#define L1_EDX_HIDDEN  ((1u << 21) | (1u << 22) | (1u << 29) | (1u << 31))
#define L1_ECX_MONITOR (1u << 3)
#define L1_ECX_VMX     (1u << 5)
#define L1_ECX_HYPERVISOR (1u << 31)
#define L1_ECX_X2APIC  (1u << 21)
#define L1_ECX_TSC_DEADLINE (1u << 24)
#define L1_ECX_OSXSAVE (1u << 27)
#define L1_EDX_HTT     (1u << 28)
#define L6_EAX_ARAT    (1u << 2)
#define L7_EBX_TSC_ADJUST (1u << 1)
#define LD1_EAX_XSAVES (1u << 3)
/* The leaves below 32 that vcpu_cpuid adjusts. */
#define ADJUSTED_LEAVES ((1u << 1) | (1u << 4) | (1u << 6) | (1u << 7) | (1u << 0xa) | \
			 (1u << 0xb) | (1u << 0xd) | (1u << 0x15) | (1u << 0x1f))

/* Bits to hold an APIC ID below n. */
static unsigned id_bits(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

/*
 * CPUID.(0xd,1).EBX: the XSAVEC area for the guest's XCR0 (no IA32_XSS
 * bits): the legacy area and header, then each enabled component from 2
 * up, 64-byte aligned where its sub-leaf says so. Computed, because the
 * host's answer describes the host's XCR0 (and Bochs gives the standard
 * size), and Linux rejects XSAVE altogether when the two disagree.
 */
static uint32_t xsave_compacted_size(uint64_t xcr0)
{
	uint32_t size = 512 + 64;
	uint64_t r[4];

	for (unsigned i = 2; i < 63; i++) {
		if (!(xcr0 >> i & 1))
			continue;
		cpuid_host(0xd, i, r);
		if (r[2] & 2)
			size = (size + 63) & ~63u;
		size += (uint32_t)r[0];
	}
	return size;
}

/* Adjust the guest's registers, holding the host's answer, for this vCPU. */
static __attribute__((noinline)) void vcpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	uint64_t r[4] = { v->arch.gpr[GPR_RAX], v->arch.gpr[GPR_RBX], v->arch.gpr[GPR_RCX],
			  v->arch.gpr[GPR_RDX] };
	unsigned n = v->vm->nr_vcpus, shift = id_bits(n);

	switch (leaf) {
	case 1:
		r[1] = (r[1] & 0xffffu) | (uint64_t)((1u << shift) & 0xff) << 16 |
		       (uint64_t)v->id << 24;
		r[2] = (r[2] & ~(uint64_t)(L1_ECX_VMX | L1_ECX_MONITOR | L1_ECX_OSXSAVE |
					   L1_ECX_HIDDEN)) |
		       L1_ECX_HYPERVISOR | L1_ECX_TSC_DEADLINE | L1_ECX_X2APIC;
		if (vmx_guest_cr4() & CR4_OSXSAVE) /* the guest's CR4, not ours */
			r[2] |= L1_ECX_OSXSAVE;
		r[3] &= ~(uint64_t)L1_EDX_HIDDEN;
		r[3] = n > 1 ? r[3] | L1_EDX_HTT : r[3] & ~(uint64_t)L1_EDX_HTT;
		break;
	case 4: /* cache leaves: cores per package; only the last level is shared */
		if (r[0] & 0x1f) {
			bool shared = ((r[0] >> 5) & 7) == 3;

			r[0] = (r[0] & 0x3fff) | (uint64_t)((1u << shift) - 1) << 26 |
			       (uint64_t)(shared ? (1u << shift) - 1 : 0) << 14;
		}
		break;
	case 6: /* power management: only "the APIC timer always runs" is true here */
		r[0] &= L6_EAX_ARAT;
		r[1] = r[2] = r[3] = 0;
		break;
	case 7: /* IA32_TSC_ADJUST is not emulated */
		if (sub == 0)
			r[1] &= ~(uint64_t)L7_EBX_TSC_ADJUST;
		break;
	case 0xa: /* no virtual PMU: Linux then uses software events only */
		r[0] = r[1] = r[2] = r[3] = 0;
		break;
	case 0xd: /* no IA32_XSS: no XSAVES, no supervisor state components */
		if (sub == 1) {
			r[0] &= ~(uint64_t)LD1_EAX_XSAVES;
			r[1] = xsave_compacted_size(v->arch.xcr0);
			r[2] = r[3] = 0;
		}
		break;
	case 0x15: { /* the crystal the local APIC timer counts at */
		const struct vlapic_clock *c = vlapic_clock();

		r[0] = c->den;
		r[1] = c->num;
		r[2] = c->hz;
		break;
	}
	case 0xb:
	case 0x1f: /* level 0: SMT (1 thread), level 1: core (n), then none */
		r[0] = sub == 1 ? shift : 0;
		r[1] = sub == 0 ? 1 : sub == 1 ? n : 0;
		r[2] = sub > 1 ? sub : sub | (sub + 1) << 8;
		r[3] = v->id;
		break;
	}
	v->arch.gpr[GPR_RAX] = r[0];
	v->arch.gpr[GPR_RBX] = r[1];
	v->arch.gpr[GPR_RCX] = r[2];
	v->arch.gpr[GPR_RDX] = r[3];
}

static void hypervisor_cpuid(uint32_t leaf, uint64_t r[4])
{
	r[0] = r[1] = r[2] = r[3] = 0;
	if (leaf == HV_LEAF_BASE) {
		r[0] = HV_LEAF_TIMING;
		r[1] = HV_SIG_EBX;
		r[2] = HV_SIG_ECX;
		r[3] = HV_SIG_EDX;
	} else if (leaf == HV_LEAF_TIMING) {
		r[0] = tsc_khz();
	}
}

/* The guest's registers hold the leaf and sub-leaf and take the result. */
enum exit_action exit_cpuid(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	uint32_t leaf = (uint32_t)g[GPR_RAX], sub = (uint32_t)g[GPR_RCX];
	uint64_t r[4];

	(void)e;
	if (__builtin_expect((leaf & 0xffff0000u) == HV_LEAF_BASE, 0))
		hypervisor_cpuid(leaf, r);
	else
		cpuid_host(leaf, sub, r);
	g[GPR_RAX] = r[0];
	g[GPR_RBX] = r[1];
	g[GPR_RCX] = r[2];
	g[GPR_RDX] = r[3];
	if (__builtin_expect(leaf - 1 < 31, 0) && ((ADJUSTED_LEAVES >> leaf) & 1)) /* not leaf 0 */
		vcpu_cpuid(v, leaf, sub);
	return EXIT_SKIP;
}
