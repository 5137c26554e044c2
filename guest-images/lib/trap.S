/* SPDX-License-Identifier: MIT */
/*
 * Exception catching for test guests. catch_exception(fn, arg) runs fn;
 * an exception inside it resumes at catch_recover with the stack and the
 * callee-saved registers as they were, and the vector as the result.
 */
	.section .text
	.code64
	.globl catch_exception
catch_exception:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, catch_rsp(%rip)
	movl $-1, catch_vector(%rip)
	movb $1, catch_armed(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	.globl catch_recover
catch_recover:
	movb $0, catch_armed(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movslq catch_vector(%rip), %rax
	ret

/* Exception stubs: push a dummy error code where the CPU does not. */
	.macro stub v, err
	.balign 16
exc_\v:
	.if \err == 0
	pushq $0
	.endif
	pushq $\v
	jmp exc_common
	.endm

	stub 0,0; stub 1,0; stub 2,0; stub 3,0; stub 4,0; stub 5,0; stub 6,0; stub 7,0
	stub 8,1; stub 9,0; stub 10,1; stub 11,1; stub 12,1; stub 13,1; stub 14,1; stub 15,0
	stub 16,0; stub 17,1; stub 18,0; stub 19,0; stub 20,0; stub 21,1; stub 22,0; stub 23,0
	stub 24,0; stub 25,0; stub 26,0; stub 27,0; stub 28,0; stub 29,1; stub 30,1; stub 31,0

exc_common:
	/* stack: vector, error, rip, cs, rflags, rsp, ss */
	cmpb $0, catch_armed(%rip)
	je 1f
	movq (%rsp), %rax
	movl %eax, catch_vector(%rip)
	leaq catch_recover(%rip), %rax
	movq %rax, 16(%rsp)
	movq catch_rsp(%rip), %rax
	movq %rax, 40(%rsp)
	addq $16, %rsp
	iretq
1:	movq (%rsp), %rdi
	movq 16(%rsp), %rsi
	movq 8(%rsp), %rdx
	call guest_unexpected_exception

	.section .rodata
	.balign 8
	.globl exc_stubs
exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc_\v
	.endr

	.section .bss
catch_rsp: .quad 0
catch_vector: .long 0
catch_armed: .byte 0
