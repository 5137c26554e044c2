/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 entry. GRUB (BIOS or UEFI, without the EFI boot-services tag)
 * jumps to mb2_entry32 in 32-bit protected mode, paging off, with
 * %eax = 0x36d76289 and %ebx = the physical address of the information
 * block (multiboot2 spec, "I386 machine state"). We enable long mode with
 * the boot page tables and call mb2_start(magic, info) in C.
 */
#include "arch/x86_64/segment.h"

#define MB2_MAGIC        0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_TAG_END      0
#define MB2_TAG_ENTRY    3
#define MB2_TAG_FLAGS    4
#define MB2_TAG_OPTIONAL 1

#define COM1             0x3f8
#define CR4_PAE          0x20
#define MSR_EFER         0xc0000080
#define EFER_LME         0x100
#define EFER_NXE         0x800
#define CR0_PG_PE        0x80000001
#define CPUID_EXT_MAX    0x80000000
#define CPUID_EXT_FEAT   0x80000001
#define FEAT_LM          (1 << 29)
#define FEAT_NX          (1 << 20)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* entry address tag: the ELF entry is the UEFI one */
	.balign 8
	.short MB2_TAG_ENTRY, 0
	.long 12
	.long mb2_entry32
	.balign 8
	.short MB2_TAG_END, 0
	.long 8
mb2_header_end:

	.section .text.entry, "ax"
	.code32
	.globl mb2_entry32
mb2_entry32:
	cli
	cld
	movl %eax, %edi
	movl %ebx, %esi
	movl $boot_stack_top, %esp

	/* A CPU without long mode cannot run us: say so on COM1 and stop. */
	movl $CPUID_EXT_MAX, %eax
	cpuid
	cmpl $CPUID_EXT_FEAT, %eax
	jb no_long_mode
	movl $CPUID_EXT_FEAT, %eax
	cpuid
	testl $FEAT_LM, %edx
	jz no_long_mode
	movl %edx, %ebp                 /* keep the NX bit */

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $FEAT_NX, %ebp
	jz 1f
	orl $EFER_NXE, %eax
1:	wrmsr
	movl %cr0, %eax
	orl $CR0_PG_PE, %eax
	movl %eax, %cr0
	lgdt boot_gdt_desc
	ljmp $SEL_CODE64, $mb2_entry64

no_long_mode:
	movl $msg_no_lm, %esi
2:	lodsb
	testb %al, %al
	jz 3f
	movw $COM1, %dx
	outb %al, %dx
	jmp 2b
3:	cli
	hlt
	jmp 3b

	.code64
mb2_entry64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl $boot_stack_top, %esp
	movl %edi, %edi                 /* zero-extend magic and info */
	movl %esi, %esi
	xorl %ebp, %ebp                 /* end of the backtrace */
	call mb2_start
	ud2

	.section .rodata
msg_no_lm:
	.asciz "basalt: this CPU has no 64-bit long mode; cannot start\r\n"
