/* SPDX-License-Identifier: MIT */
/*
 * Entry of the 64-bit test guests. Basalt starts them in long mode
 * (mode=long64) at 0x100000 with identity page tables and no usable GDT or
 * IDT: load our own, set a stack, run main(), power off with its result.
 */
#define HC_POWEROFF 3

	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	leaq stack_top(%rip), %rsp
	lgdt gdt_desc(%rip)
	pushq $0x08
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	call guest_init
	call main
	movq %rax, %rdi
	movl $HC_POWEROFF, %eax
	vmcall
2:	cli
	hlt
	jmp 2b

	.section .rodata
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff   /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff   /* 0x10: data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 16
	.skip 16384
stack_top:
