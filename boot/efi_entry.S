/* SPDX-License-Identifier: MIT */
/*
 * UEFI entry (the ELF entry point). BOOTX64.EFI jumps here after
 * ExitBootServices() with %rdi = physical address of a struct boot_info,
 * interrupts off, 64-bit mode on the firmware's identity page tables. We
 * take over the GDT, stack and page tables, then call efi_handoff(info).
 */
#include "arch/x86_64/segment.h"

	.section .text.entry, "ax"
	.code64
	.globl efi_entry64
efi_entry64:
	cli
	cld
	movq %rdi, %r12
	leaq boot_stack_top(%rip), %rsp
	lgdt boot_gdt_desc(%rip)
	pushq $SEL_CODE64
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	leaq boot_pml4(%rip), %rax
	movq %rax, %cr3
	movq %r12, %rdi
	xorl %ebp, %ebp
	call efi_handoff
	ud2
