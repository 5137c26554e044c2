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
#include "arch/x86_64/cpuid.h"
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
	uint32_t leaf = (uint32_t)g[GPR_RAX];
	uint64_t r[4];

	(void)e;
	if (__builtin_expect((leaf & 0xffff0000u) == HV_LEAF_BASE, 0))
		hypervisor_cpuid(leaf, r);
	else
		cpuid_host(leaf, (uint32_t)g[GPR_RCX], r);
	if (leaf == 1)
		r[2] = (r[2] & ~(uint64_t)(L1_ECX_VMX | L1_ECX_MONITOR)) | L1_ECX_HYPERVISOR;
	else if (leaf == 6)
		r[2] &= ~(uint64_t)L6_ECX_APERFMPERF;
	g[GPR_RAX] = r[0];
	g[GPR_RBX] = r[1];
	g[GPR_RCX] = r[2];
	g[GPR_RDX] = r[3];
	return EXIT_SKIP;
}
