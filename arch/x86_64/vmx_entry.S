/* SPDX-License-Identifier: MIT */
/*
 * VM entry and exit. vmx_enter(v, launched) loads the guest's general
 * registers from v->gpr[] and executes VMLAUNCH or VMRESUME. A VM exit
 * lands at vmx_exit_entry (HOST_RIP) on the stack vmx_enter left
 * (HOST_RSP), with v on top: the guest registers go back to v->gpr[] and
 * vmx_enter returns 0. If VMLAUNCH/VMRESUME itself fails it returns 1.
 * RSP and RIP live in the VMCS, not in v->gpr[].
 */
#include "arch/x86_64/vmx_asm.h"

	.section .text
	.globl vmx_enter
	.type vmx_enter, @function
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi
	cmpq %rsp, V_HOST_RSP(%rdi)
	je 1f
	movq %rsp, V_HOST_RSP(%rdi)
	movl $VMCS_ENC_HOST_RSP, %eax
	vmwrite %rsp, %rax
1:	testl %esi, %esi                /* flags survive the loads below */
	movq V_RAX(%rdi), %rax
	movq V_RCX(%rdi), %rcx
	movq V_RDX(%rdi), %rdx
	movq V_RBX(%rdi), %rbx
	movq V_RBP(%rdi), %rbp
	movq V_RSI(%rdi), %rsi
	movq V_R8(%rdi), %r8
	movq V_R9(%rdi), %r9
	movq V_R10(%rdi), %r10
	movq V_R11(%rdi), %r11
	movq V_R12(%rdi), %r12
	movq V_R13(%rdi), %r13
	movq V_R14(%rdi), %r14
	movq V_R15(%rdi), %r15
	movq V_RDI(%rdi), %rdi
	jnz 2f
	vmlaunch
	jmp 3f
2:	vmresume
3:	/* VMfail: guest values were loaded into our registers; restore ours */
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movl $1, %eax
	ret
	.size vmx_enter, . - vmx_enter

	.globl vmx_exit_entry
	.type vmx_exit_entry, @function
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, V_RAX(%rdi)
	movq %rcx, V_RCX(%rdi)
	movq %rdx, V_RDX(%rdi)
	movq %rbx, V_RBX(%rdi)
	movq %rbp, V_RBP(%rdi)
	movq %rsi, V_RSI(%rdi)
	movq %r8, V_R8(%rdi)
	movq %r9, V_R9(%rdi)
	movq %r10, V_R10(%rdi)
	movq %r11, V_R11(%rdi)
	movq %r12, V_R12(%rdi)
	movq %r13, V_R13(%rdi)
	movq %r14, V_R14(%rdi)
	movq %r15, V_R15(%rdi)
	popq %rax
	movq %rax, V_RDI(%rdi)
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	xorl %eax, %eax
	ret
	.size vmx_exit_entry, . - vmx_exit_entry
