/* SPDX-License-Identifier: MIT */
/*
 * AP start-up: real mode -> protected mode -> long mode -> ap_main().
 * A SIPI starts the AP at CS = page >> 4, IP = 0 (SDM Vol. 3A, "MP
 * Initialization Protocol Algorithm"). The code is position-independent:
 * it runs wherever smp.c copied it, finding its data block through
 * %ebx = the page's linear address. It lives in .rodata and only runs
 * from the copy.
 */
#include "arch/x86_64/trampoline.h"

#define CR0_PE  0x1
#define CR0_PG  0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080

	.section .trampoline, "a"
	.code16
	.globl trampoline_start
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %ebx, %ebx
	movw %ax, %bx
	shll $4, %ebx                   /* %ebx = linear base of this page */
	lgdtl TR_GDT_DESC
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *TR_JMP32

	.code32
	.globl trampoline_32
trampoline_32:
	movl $TR_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl TR_CR3(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl TR_EFER(%ebx), %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmpl *TR_JMP64(%ebx)

	.code64
	.globl trampoline_64
trampoline_64:
	movl %ebx, %ebx
	movl $TR_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq TR_STACK(%rbx), %rsp
	movq TR_ARG(%rbx), %rdi
	xorl %ebp, %ebp
	callq *TR_ENTRY(%rbx)
1:	cli
	hlt
	jmp 1b
	.globl trampoline_code_end
trampoline_code_end:
