/* SPDX-License-Identifier: MIT */
/*
 * Entry of the 64-bit test guests. Basalt starts them in long mode
 * (mode=long64) at 0x100000 with identity page tables and no usable GDT or
 * IDT: load our own, set a stack, run main(), power off with its result.
 * With several vCPUs, each starts here with RDI = its index: each gets its
 * own stack, and main(index) runs on every one.
 */
#define HC_POWEROFF 3
#define STACK_SIZE 16384
#define MAX_VCPUS 4

	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	movq %rdi, %rbx                 /* vCPU index (0 alone) */
	andq $(MAX_VCPUS - 1), %rbx
	leaq stacks(%rip), %rsp
	leaq 1(%rbx), %rax
	imulq $STACK_SIZE, %rax
	addq %rax, %rsp
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
	movq %rbx, %rdi                 /* main(vcpu index) */
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
stacks:
	.skip STACK_SIZE * MAX_VCPUS

