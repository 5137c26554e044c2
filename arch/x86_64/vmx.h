/* SPDX-License-Identifier: MIT */
/*
 * VT-x capability probing and VMX operation on each CPU.
 *
 * vmx_probe() runs once on the boot CPU: it reads the capability MSRs and
 * computes every VM-execution, exit and entry control Basalt will use from
 * them (never from assumptions). Without VT-x, EPT or unrestricted guest it
 * logs one line saying what is missing and returns -ENOTSUP.
 * vmx_cpu_on() then enters VMX root operation on the calling CPU.
 */
#ifndef ARCH_VMX_H
#define ARCH_VMX_H

#include <stdbool.h>
#include <stdint.h>

/* Pin-based VM-execution controls (SDM Vol. 3C, "Pin-Based VM-Execution Controls"). */
#define PIN_EXT_INT_EXITING    (1u << 0)
#define PIN_NMI_EXITING        (1u << 3)
#define PIN_VIRTUAL_NMIS       (1u << 5)
#define PIN_PREEMPTION_TIMER   (1u << 6)
/* Primary processor-based controls. */
#define PROC_INTR_WINDOW       (1u << 2)
#define PROC_TSC_OFFSETTING    (1u << 3)
#define PROC_HLT_EXITING       (1u << 7)
#define PROC_INVLPG_EXITING    (1u << 9)
#define PROC_MWAIT_EXITING     (1u << 10)
#define PROC_RDPMC_EXITING     (1u << 11)
#define PROC_RDTSC_EXITING     (1u << 12)
#define PROC_CR3_LOAD_EXITING  (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_CR8_LOAD_EXITING  (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_NMI_WINDOW        (1u << 22)
#define PROC_MOV_DR_EXITING    (1u << 23)
#define PROC_UNCOND_IO_EXITING (1u << 24)
#define PROC_USE_IO_BITMAPS    (1u << 25)
#define PROC_MTF               (1u << 27)
#define PROC_USE_MSR_BITMAPS   (1u << 28)
#define PROC_MONITOR_EXITING   (1u << 29)
#define PROC_PAUSE_EXITING     (1u << 30)
#define PROC_SECONDARY         (1u << 31)
/* Secondary processor-based controls. */
#define PROC2_ENABLE_EPT       (1u << 1)
#define PROC2_DESC_TABLE_EXIT  (1u << 2)
#define PROC2_ENABLE_RDTSCP    (1u << 3)
#define PROC2_ENABLE_VPID      (1u << 5)
#define PROC2_WBINVD_EXITING   (1u << 6)
#define PROC2_UNRESTRICTED     (1u << 7)
#define PROC2_ENABLE_INVPCID   (1u << 12)
#define PROC2_ENABLE_XSAVES    (1u << 20)
/* VM-exit controls. */
#define EXIT_SAVE_DEBUG        (1u << 2)
#define EXIT_HOST_64BIT        (1u << 9)
#define EXIT_ACK_INTERRUPT     (1u << 15)
#define EXIT_SAVE_PAT          (1u << 18)
#define EXIT_LOAD_PAT          (1u << 19)
#define EXIT_SAVE_EFER         (1u << 20)
#define EXIT_LOAD_EFER         (1u << 21)
#define EXIT_SAVE_PREEMPT      (1u << 22)
/* VM-entry controls. */
#define ENTRY_LOAD_DEBUG       (1u << 2)
#define ENTRY_GUEST_64BIT      (1u << 9)
#define ENTRY_LOAD_PAT         (1u << 14)
#define ENTRY_LOAD_EFER        (1u << 15)

/* IA32_VMX_EPT_VPID_CAP bits (SDM Vol. 3D, Appendix A.10). */
#define EPTCAP_WALK4           (1ull << 6)
#define EPTCAP_UC              (1ull << 8)
#define EPTCAP_WB              (1ull << 14)
#define EPTCAP_2M              (1ull << 16)
#define EPTCAP_1G              (1ull << 17)
#define EPTCAP_INVEPT          (1ull << 20)
#define EPTCAP_AD              (1ull << 21)
#define EPTCAP_INVEPT_SINGLE   (1ull << 25)
#define EPTCAP_INVEPT_ALL      (1ull << 26)
#define VPIDCAP_INVVPID        (1ull << 32)
#define VPIDCAP_SINGLE         (1ull << 41)
#define VPIDCAP_ALL            (1ull << 43)

struct vmx_caps {
	uint32_t revision;
	uint64_t basic, misc, ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	/* The controls every VMCS starts from (computed, capability-checked). */
	uint32_t pin, proc, proc2, exit, entry;
	bool vpid;          /* VPIDs with INVVPID single-context or all */
	bool preempt_timer; /* VMX-preemption timer available */
	unsigned preempt_shift; /* timer ticks every 2^shift TSC ticks */
	bool preempt_saved; /* the timer's value survives exits (a true quantum) */
	bool ept_2m, ept_1g, ept_ad;
	bool invept_single;
};

/* Boot CPU, once, before SMP. 0, or -ENOTSUP (logged: what is missing). */
int vmx_probe(void);
const struct vmx_caps *vmx_caps(void);
bool vmx_available(void);
/* Enter VMX root operation on this CPU. 0 or -EIO (logged). */
int vmx_cpu_on(void);
/* Invalidate EPT-derived translations for eptp (or all contexts). */
void vmx_invept(uint64_t eptp);
/* Invalidate the translations tagged with vpid (or all, if single-context is missing). */
void vmx_invvpid(uint16_t vpid);

#endif
