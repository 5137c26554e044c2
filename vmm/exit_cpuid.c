// SPDX-License-Identifier: MIT
/*
 * CPUID: the host's answers, minus what Basalt does not virtualize, plus
 * a hypervisor range:
 *
 *   0x40000000  EAX = 0x40000010 (highest hypervisor leaf),
 *               EBX ECX EDX = "BasaltBasalt"
 *   0x40000010  EAX = TSC frequency in kHz, EBX = 0 (no emulated bus clock)
 *
 * Leaf 1 loses VMX, MONITOR/MWAIT (they #UD) and gains the hypervisor
 * bit; leaf 6 loses APERF/MPERF (MSRs not emulated).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "vmm/exit.h"
#include "vmm/vm.h"

#define HV_LEAF_BASE   0x40000000u
#define HV_LEAF_TIMING 0x40000010u
#define HV_SIG_EBX     0x61736142u /* "Basa" */
#define HV_SIG_ECX     0x6142746cu /* "ltBa" */
#define HV_SIG_EDX     0x746c6173u /* "salt" */
#define L1_ECX_MONITOR (1u << 3)
#define L1_ECX_VMX     (1u << 5)
#define L1_ECX_HYPERVISOR (1u << 31)
#define L6_ECX_APERFMPERF (1u << 0)

static struct cpuid_regs virtual_cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	if (leaf == HV_LEAF_BASE)
		return (struct cpuid_regs){ HV_LEAF_TIMING, HV_SIG_EBX, HV_SIG_ECX, HV_SIG_EDX };
	if (leaf == HV_LEAF_TIMING)
		return (struct cpuid_regs){ (uint32_t)tsc_khz(), 0, 0, 0 };
	if (leaf > HV_LEAF_BASE && leaf < HV_LEAF_BASE + 0x10000)
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	r = cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		r.ecx = (r.ecx & ~(L1_ECX_VMX | L1_ECX_MONITOR)) | L1_ECX_HYPERVISOR;
		break;
	case 6:
		r.ecx &= ~L6_ECX_APERFMPERF;
		break;
	default:
		break;
	}
	return r;
}

enum exit_action exit_cpuid(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	struct cpuid_regs r = virtual_cpuid((uint32_t)g[GPR_RAX], (uint32_t)g[GPR_RCX]);

	(void)e;
	g[GPR_RAX] = r.eax;
	g[GPR_RBX] = r.ebx;
	g[GPR_RCX] = r.ecx;
	g[GPR_RDX] = r.edx;
	return EXIT_SKIP;
}
