/* SPDX-License-Identifier: MIT */
/*
 * Interrupt entry stubs: one per vector, each making the stack look the
 * same (an error code, real or 0, then the vector number), then a common
 * path that saves the general registers as a struct trap_frame and calls
 * trap_dispatch(frame). isr_stubs[] lists the 256 stub addresses.
 */

/* Vectors where the CPU pushes an error code (SDM Vol. 3A, Table 6-1). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text
	.balign 16
isr_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp                  /* vector and error code */
	iretq

	.altmacro
	.macro stub v
	.balign 16
isr_stub_\v:
	.if HAS_ERROR(\v) == 0
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
	.endm

	.set v, 0
	.rept 256
	stub %v
	.set v, v + 1
	.endr

	.macro stub_addr v
	.quad isr_stub_\v
	.endm

	.section .rodata
	.balign 8
	.globl isr_stubs
isr_stubs:
	.set v, 0
	.rept 256
	stub_addr %v
	.set v, v + 1
	.endr
