/* SPDX-License-Identifier: MIT */
/*
 * Every VMCS field Basalt uses, defined once: X(name, encoding, width).
 * Encodings: SDM Vol. 3D, Appendix B "Field Encoding in VMCS". The width
 * is also encoded in bits 14:13 of the encoding; vmcs.h checks at compile
 * time that both agree, and that every accessor uses the right width.
 */
#ifndef ARCH_VMCS_FIELDS_H
#define ARCH_VMCS_FIELDS_H

#define VMCS_FIELDS(X)                                          \
	/* 16-bit control and guest/host state */               \
	X(VPID, 0x0000, 16)                                     \
	X(GUEST_ES_SEL, 0x0800, 16)                             \
	X(GUEST_CS_SEL, 0x0802, 16)                             \
	X(GUEST_SS_SEL, 0x0804, 16)                             \
	X(GUEST_DS_SEL, 0x0806, 16)                             \
	X(GUEST_FS_SEL, 0x0808, 16)                             \
	X(GUEST_GS_SEL, 0x080a, 16)                             \
	X(GUEST_LDTR_SEL, 0x080c, 16)                           \
	X(GUEST_TR_SEL, 0x080e, 16)                             \
	X(HOST_ES_SEL, 0x0c00, 16)                              \
	X(HOST_CS_SEL, 0x0c02, 16)                              \
	X(HOST_SS_SEL, 0x0c04, 16)                              \
	X(HOST_DS_SEL, 0x0c06, 16)                              \
	X(HOST_FS_SEL, 0x0c08, 16)                              \
	X(HOST_GS_SEL, 0x0c0a, 16)                              \
	X(HOST_TR_SEL, 0x0c0c, 16)                              \
	/* 64-bit control */                                    \
	X(IO_BITMAP_A, 0x2000, 64)                              \
	X(IO_BITMAP_B, 0x2002, 64)                              \
	X(MSR_BITMAP, 0x2004, 64)                               \
	X(EXIT_MSR_STORE_ADDR, 0x2006, 64)                      \
	X(EXIT_MSR_LOAD_ADDR, 0x2008, 64)                       \
	X(ENTRY_MSR_LOAD_ADDR, 0x200a, 64)                      \
	X(TSC_OFFSET, 0x2010, 64)                               \
	X(EPT_POINTER, 0x201a, 64)                              \
	/* 64-bit read-only data */                             \
	X(GUEST_PHYSICAL_ADDR, 0x2400, 64)                      \
	/* 64-bit guest and host state */                       \
	X(VMCS_LINK_POINTER, 0x2800, 64)                        \
	X(GUEST_DEBUGCTL, 0x2802, 64)                           \
	X(GUEST_PAT, 0x2804, 64)                                \
	X(GUEST_EFER, 0x2806, 64)                               \
	X(GUEST_PDPTE0, 0x280a, 64)                             \
	X(GUEST_PDPTE1, 0x280c, 64)                             \
	X(GUEST_PDPTE2, 0x280e, 64)                             \
	X(GUEST_PDPTE3, 0x2810, 64)                             \
	X(HOST_PAT, 0x2c00, 64)                                 \
	X(HOST_EFER, 0x2c02, 64)                                \
	/* 32-bit control */                                    \
	X(PIN_CONTROLS, 0x4000, 32)                             \
	X(PROC_CONTROLS, 0x4002, 32)                            \
	X(EXCEPTION_BITMAP, 0x4004, 32)                         \
	X(PF_ERROR_MASK, 0x4006, 32)                            \
	X(PF_ERROR_MATCH, 0x4008, 32)                           \
	X(CR3_TARGET_COUNT, 0x400a, 32)                         \
	X(EXIT_CONTROLS, 0x400c, 32)                            \
	X(EXIT_MSR_STORE_COUNT, 0x400e, 32)                     \
	X(EXIT_MSR_LOAD_COUNT, 0x4010, 32)                      \
	X(ENTRY_CONTROLS, 0x4012, 32)                           \
	X(ENTRY_MSR_LOAD_COUNT, 0x4014, 32)                     \
	X(ENTRY_INTR_INFO, 0x4016, 32)                          \
	X(ENTRY_EXCEPTION_ERROR, 0x4018, 32)                    \
	X(ENTRY_INSN_LEN, 0x401a, 32)                           \
	X(TPR_THRESHOLD, 0x401c, 32)                            \
	X(PROC_CONTROLS2, 0x401e, 32)                           \
	/* 32-bit read-only data */                             \
	X(VM_INSTRUCTION_ERROR, 0x4400, 32)                     \
	X(EXIT_REASON, 0x4402, 32)                              \
	X(EXIT_INTR_INFO, 0x4404, 32)                           \
	X(EXIT_INTR_ERROR, 0x4406, 32)                          \
	X(IDT_VECTORING_INFO, 0x4408, 32)                       \
	X(IDT_VECTORING_ERROR, 0x440a, 32)                      \
	X(EXIT_INSN_LEN, 0x440c, 32)                            \
	X(EXIT_INSN_INFO, 0x440e, 32)                           \
	/* 32-bit guest and host state */                       \
	X(GUEST_ES_LIMIT, 0x4800, 32)                           \
	X(GUEST_CS_LIMIT, 0x4802, 32)                           \
	X(GUEST_SS_LIMIT, 0x4804, 32)                           \
	X(GUEST_DS_LIMIT, 0x4806, 32)                           \
	X(GUEST_FS_LIMIT, 0x4808, 32)                           \
	X(GUEST_GS_LIMIT, 0x480a, 32)                           \
	X(GUEST_LDTR_LIMIT, 0x480c, 32)                         \
	X(GUEST_TR_LIMIT, 0x480e, 32)                           \
	X(GUEST_GDTR_LIMIT, 0x4810, 32)                         \
	X(GUEST_IDTR_LIMIT, 0x4812, 32)                         \
	X(GUEST_ES_AR, 0x4814, 32)                              \
	X(GUEST_CS_AR, 0x4816, 32)                              \
	X(GUEST_SS_AR, 0x4818, 32)                              \
	X(GUEST_DS_AR, 0x481a, 32)                              \
	X(GUEST_FS_AR, 0x481c, 32)                              \
	X(GUEST_GS_AR, 0x481e, 32)                              \
	X(GUEST_LDTR_AR, 0x4820, 32)                            \
	X(GUEST_TR_AR, 0x4822, 32)                              \
	X(GUEST_INTERRUPTIBILITY, 0x4824, 32)                   \
	X(GUEST_ACTIVITY_STATE, 0x4826, 32)                     \
	X(GUEST_SYSENTER_CS, 0x482a, 32)                        \
	X(PREEMPTION_TIMER, 0x482e, 32)                         \
	X(HOST_SYSENTER_CS, 0x4c00, 32)                         \
	/* natural-width control */                             \
	X(CR0_GUEST_HOST_MASK, 0x6000, 0)                       \
	X(CR4_GUEST_HOST_MASK, 0x6002, 0)                       \
	X(CR0_READ_SHADOW, 0x6004, 0)                           \
	X(CR4_READ_SHADOW, 0x6006, 0)                           \
	/* natural-width read-only data */                      \
	X(EXIT_QUALIFICATION, 0x6400, 0)                        \
	X(GUEST_LINEAR_ADDR, 0x640a, 0)                         \
	/* natural-width guest state */                         \
	X(GUEST_CR0, 0x6800, 0)                                 \
	X(GUEST_CR3, 0x6802, 0)                                 \
	X(GUEST_CR4, 0x6804, 0)                                 \
	X(GUEST_ES_BASE, 0x6806, 0)                             \
	X(GUEST_CS_BASE, 0x6808, 0)                             \
	X(GUEST_SS_BASE, 0x680a, 0)                             \
	X(GUEST_DS_BASE, 0x680c, 0)                             \
	X(GUEST_FS_BASE, 0x680e, 0)                             \
	X(GUEST_GS_BASE, 0x6810, 0)                             \
	X(GUEST_LDTR_BASE, 0x6812, 0)                           \
	X(GUEST_TR_BASE, 0x6814, 0)                             \
	X(GUEST_GDTR_BASE, 0x6816, 0)                           \
	X(GUEST_IDTR_BASE, 0x6818, 0)                           \
	X(GUEST_DR7, 0x681a, 0)                                 \
	X(GUEST_RSP, 0x681c, 0)                                 \
	X(GUEST_RIP, 0x681e, 0)                                 \
	X(GUEST_RFLAGS, 0x6820, 0)                              \
	X(GUEST_PENDING_DBG, 0x6822, 0)                         \
	X(GUEST_SYSENTER_ESP, 0x6824, 0)                        \
	X(GUEST_SYSENTER_EIP, 0x6826, 0)                        \
	/* natural-width host state */                          \
	X(HOST_CR0, 0x6c00, 0)                                  \
	X(HOST_CR3, 0x6c02, 0)                                  \
	X(HOST_CR4, 0x6c04, 0)                                  \
	X(HOST_FS_BASE, 0x6c06, 0)                              \
	X(HOST_GS_BASE, 0x6c08, 0)                              \
	X(HOST_TR_BASE, 0x6c0a, 0)                              \
	X(HOST_GDTR_BASE, 0x6c0c, 0)                            \
	X(HOST_IDTR_BASE, 0x6c0e, 0)                            \
	X(HOST_SYSENTER_ESP, 0x6c10, 0)                         \
	X(HOST_SYSENTER_EIP, 0x6c12, 0)                         \
	X(HOST_RSP, 0x6c14, 0)                                  \
	X(HOST_RIP, 0x6c16, 0)

#endif
