/* SPDX-License-Identifier: MIT */
/*
 * Offsets into struct vmx_vcpu for vmx_entry.S. vmx_vcpu.c checks each
 * against offsetof() at compile time, so they cannot drift.
 */
#ifndef ARCH_VMX_ASM_H
#define ARCH_VMX_ASM_H

#define V_RAX 0x00
#define V_RCX 0x08
#define V_RDX 0x10
#define V_RBX 0x18
#define V_RBP 0x28
#define V_RSI 0x30
#define V_RDI 0x38
#define V_R8  0x40
#define V_R9  0x48
#define V_R10 0x50
#define V_R11 0x58
#define V_R12 0x60
#define V_R13 0x68
#define V_R14 0x70
#define V_R15 0x78
#define V_HOST_RSP 0x90

#define VMCS_ENC_HOST_RSP 0x6c14 /* must equal VMCS_HOST_RSP */

#endif
