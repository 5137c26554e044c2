// SPDX-License-Identifier: MIT
/*
 * VT-x discovery and VMXON. Capability MSRs: SDM Vol. 3D, Appendix A
 * "VMX Capability Reporting Facility". A control may be 1 only where the
 * high half of its capability MSR ("allowed-1") has a 1, and must be 1
 * where the low half ("allowed-0") has a 1. With IA32_VMX_BASIC[55] the
 * TRUE_* MSRs give the precise allowed-0 settings.
 */
#define pr_fmt "vmx"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/vmx.h"
#include "drivers/console.h"

#define MSR_VMX_BASIC        0x480
#define MSR_VMX_PIN          0x481
#define MSR_VMX_PROC         0x482
#define MSR_VMX_EXIT         0x483
#define MSR_VMX_ENTRY        0x484
#define MSR_VMX_MISC         0x485
#define MSR_VMX_CR0_FIXED0   0x486
#define MSR_VMX_CR0_FIXED1   0x487
#define MSR_VMX_CR4_FIXED0   0x488
#define MSR_VMX_CR4_FIXED1   0x489
#define MSR_VMX_PROC2        0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PIN     0x48d
#define MSR_VMX_TRUE_PROC    0x48e
#define MSR_VMX_TRUE_EXIT    0x48f
#define MSR_VMX_TRUE_ENTRY   0x490

#define BASIC_TRUE_CTLS      (1ull << 55)
#define BASIC_REVISION_MASK  0x7fffffffu
#define MISC_PREEMPT_SHIFT   0x1fu
#define FC_LOCKED            (1ull << 0)
#define FC_VMX_OUTSIDE_SMX   (1ull << 2)
#define CPUID1_ECX_VMX       (1u << 5)
#define INVEPT_SINGLE        1
#define INVEPT_ALL           2
#define INVVPID_SINGLE       1
#define INVVPID_ALL          2

static struct vmx_caps caps;
static bool available;

const struct vmx_caps *vmx_caps(void)
{
	return &caps;
}

bool vmx_available(void)
{
	return available;
}

/*
 * Controls from a capability MSR: every bit in must (fail if not
 * allowed), bits in want where allowed, plus whatever must be 1.
 */
static int adjust(uint32_t msr, uint32_t must, uint32_t want, const char *what, uint32_t *out)
{
	uint64_t v = rdmsr(msr);
	uint32_t allowed0 = (uint32_t)v, allowed1 = (uint32_t)(v >> 32);

	if (must & ~allowed1) {
		pr_err("VT-x lacks required %s controls %#x: cannot run guests\n", what,
		       must & ~allowed1);
		return -ENOTSUP;
	}
	*out = ((must | want) & allowed1) | allowed0;
	return 0;
}

static int feature_control(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (!(fc & FC_LOCKED)) {
		wrmsr(MSR_FEATURE_CONTROL, fc | FC_VMX_OUTSIDE_SMX | FC_LOCKED);
		return 0;
	}
	if (!(fc & FC_VMX_OUTSIDE_SMX)) {
		pr_err("VT-x is disabled by the firmware (IA32_FEATURE_CONTROL locked with VMX off): "
		       "enable it in the firmware setup\n");
		return -ENOTSUP;
	}
	return 0;
}

static int compute_controls(void)
{
	bool t = caps.basic & BASIC_TRUE_CTLS;
	int err = 0;

	err |= adjust(t ? MSR_VMX_TRUE_PIN : MSR_VMX_PIN, PIN_EXT_INT_EXITING | PIN_NMI_EXITING,
		      PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER, "pin-based", &caps.pin);
	err |= adjust(t ? MSR_VMX_TRUE_PROC : MSR_VMX_PROC,
		      PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_SECONDARY,
		      PROC_MWAIT_EXITING | PROC_MONITOR_EXITING, "processor-based", &caps.proc);
	if (err)
		return -ENOTSUP;
	err |= adjust(MSR_VMX_PROC2, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED,
		      PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
			      PROC2_WBINVD_EXITING | PROC2_ENABLE_XSAVES,
		      "secondary (EPT, unrestricted guest)", &caps.proc2);
	err |= adjust(t ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT,
		      EXIT_HOST_64BIT | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_ACK_INTERRUPT,
		      EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_PREEMPT, "VM-exit", &caps.exit);
	err |= adjust(t ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, ENTRY_LOAD_EFER, ENTRY_LOAD_PAT,
		      "VM-entry", &caps.entry);
	/* Mode-dependent bits are set per VMCS. */
	caps.entry &= ~ENTRY_GUEST_64BIT;
	caps.proc &= ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW);
	return err ? -ENOTSUP : 0;
}

static void probe_ept_vpid(void)
{
	uint64_t c = caps.ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);

	caps.ept_2m = c & EPTCAP_2M;
	caps.ept_1g = c & EPTCAP_1G;
	caps.ept_ad = c & EPTCAP_AD;
	caps.invept_single = c & EPTCAP_INVEPT_SINGLE;
	caps.vpid = (caps.proc2 & PROC2_ENABLE_VPID) && (c & VPIDCAP_INVVPID) &&
		    (c & (VPIDCAP_SINGLE | VPIDCAP_ALL));
	if (!caps.vpid)
		caps.proc2 &= ~PROC2_ENABLE_VPID;
	caps.preempt_timer = caps.pin & PIN_PREEMPTION_TIMER;
	caps.preempt_shift = caps.misc & MISC_PREEMPT_SHIFT;
	/* Saving the timer needs the timer: both or neither. */
	if (!caps.preempt_timer || !(caps.exit & EXIT_SAVE_PREEMPT)) {
		caps.exit &= ~EXIT_SAVE_PREEMPT;
		caps.preempt_saved = false;
	} else {
		caps.preempt_saved = true;
	}
}

int vmx_probe(void)
{
	if (!(cpuid(1, 0).ecx & CPUID1_ECX_VMX)) {
		pr_err("this CPU has no VT-x (VMX): Basalt cannot run guests on it\n");
		return -ENOTSUP;
	}
	if (feature_control())
		return -ENOTSUP;
	caps.basic = rdmsr(MSR_VMX_BASIC);
	caps.revision = (uint32_t)caps.basic & BASIC_REVISION_MASK;
	caps.misc = rdmsr(MSR_VMX_MISC);
	caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	if (compute_controls())
		return -ENOTSUP;
	probe_ept_vpid();
	if (!(caps.ept_vpid & EPTCAP_WALK4) || !(caps.ept_vpid & EPTCAP_WB) ||
	    !(caps.ept_vpid & EPTCAP_INVEPT) ||
	    !(caps.ept_vpid & (EPTCAP_INVEPT_SINGLE | EPTCAP_INVEPT_ALL))) {
		pr_err("EPT lacks 4-level walks, write-back tables or INVEPT: cannot run guests\n");
		return -ENOTSUP;
	}
	available = true;
	pr_info("VT-x rev %#x: EPT%s%s%s, unrestricted guest, %s, %s\n", caps.revision,
		caps.ept_2m ? " 2M" : "", caps.ept_1g ? " 1G" : "", caps.ept_ad ? " A/D" : "",
		caps.vpid ? "VPID" : "no VPID",
		caps.preempt_timer ? "preemption timer" : "no preemption timer");
	return 0;
}

int vmx_cpu_on(void)
{
	struct pcpu *c = this_cpu();
	uint64_t region;
	bool fail;

	if (!available)
		return -ENOTSUP;
	if (feature_control())
		return -EIO;
	region = pmm_alloc_page();
	if (!region) {
		pr_err("cpu%u: no memory for the VMXON region\n", c->id);
		return -ENOMEM;
	}
	memset((void *)region, 0, PAGE_SIZE);
	*(uint32_t *)region = caps.revision;
	write_cr0((read_cr0() | caps.cr0_fixed0) & caps.cr0_fixed1);
	write_cr4((read_cr4() | caps.cr4_fixed0 | CR4_VMXE) & caps.cr4_fixed1);
	asm volatile("vmxon %[pa]" : "=@ccbe"(fail) : [pa] "m"(region) : "memory");
	if (fail) {
		pr_err("cpu%u: VMXON failed\n", c->id);
		pmm_free(region, 1);
		return -EIO;
	}
	c->vmxon_region = region;
	return 0;
}

void vmx_invept(uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = { eptp, 0 };
	uint64_t type = caps.invept_single ? INVEPT_SINGLE : INVEPT_ALL;

	asm volatile("invept %[d], %[t]" : : [d] "m"(desc), [t] "r"(type) : "memory", "cc");
}

void vmx_invvpid(uint16_t vpid)
{
	struct {
		uint64_t vpid, addr;
	} desc = { vpid, 0 };
	uint64_t type = caps.ept_vpid & VPIDCAP_SINGLE ? INVVPID_SINGLE : INVVPID_ALL;

	if (!caps.vpid)
		return;
	asm volatile("invvpid %[d], %[t]" : : [d] "m"(desc), [t] "r"(type) : "memory", "cc");
}
