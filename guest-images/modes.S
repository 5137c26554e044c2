/* SPDX-License-Identifier: MIT */
/*
 * Mode switches: started in real mode at 0x8000 (unrestricted guest), the
 * guest checks each mode, then moves real -> 32-bit protected -> 64-bit
 * long mode on its own, as a boot loader would. Verdicts on port 0xe9.
 */
#define DEBUGCON 0xe9
#define HC_POWEROFF 3
#define MSR_EFER 0xc0000080
#define PT_BASE 0x1000


	.section .text
	.code16
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7000, %sp
	movl %cr0, %eax
	testb $1, %al
	jnz fail16
	/* segment arithmetic: 0x1000:0x0010 and 0x1001:0x0000 are the same byte */
	movw $0x1000, %ax
	movw %ax, %es
	movb $0x5a, %es:0x10
	movw $0x1001, %ax
	movw %ax, %fs
	cmpb $0x5a, %fs:0
	jne fail16
	movw $msg_real, %si
	call puts16
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $pm32
fail16:
	movw $msg_fail, %si
	call puts16
	movl $HC_POWEROFF, %eax
	movl $1, %edi
	vmcall

puts16:
	lodsb
	testb %al, %al
	jz 1f
	outb %al, $DEBUGCON
	jmp puts16
1:	ret

	.code32
pm32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl $0x7000, %esp
	movl %cr0, %eax
	testl $1, %eax
	jz fail32
	movl $msg_prot, %esi
	call puts32
	/* identity map the first 1 GiB with 2 MiB pages */
	movl $PT_BASE, %edi
	xorl %eax, %eax
	movl $(3 * 4096 / 4), %ecx
	rep stosl
	movl $(PT_BASE + 0x1003), PT_BASE
	movl $(PT_BASE + 0x2003), PT_BASE + 0x1000
	movl $(PT_BASE + 0x2000), %edi
	movl $0x83, %eax
	movl $512, %ecx
1:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b
	movl $PT_BASE, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $0x100, %eax                /* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax           /* PG */
	movl %eax, %cr0
	ljmpl $0x18, $lm64
fail32:
	movl $msg_fail, %esi
	call puts32
	movl $HC_POWEROFF, %eax
	movl $1, %edi
	vmcall

puts32:
	lodsb
	testb %al, %al
	jz 1f
	outb %al, $DEBUGCON
	jmp puts32
1:	ret

	.code64
lm64:
	movl $MSR_EFER, %ecx
	rdmsr
	testl $0x400, %eax              /* LMA */
	jz fail64
	movabsq $0x123456789, %rax
	shrq $32, %rax
	cmpq $1, %rax
	jne fail64
	movl $msg_long, %esi
	call puts64
	movl $HC_POWEROFF, %eax
	xorl %edi, %edi
	vmcall
fail64:
	movl $msg_fail, %esi
	call puts64
	movl $HC_POWEROFF, %eax
	movl $1, %edi
	vmcall

puts64:
	lodsb
	testb %al, %al
	jz 1f
	outb %al, $DEBUGCON
	jmp puts64
1:	ret

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
msg_real: .asciz "PASS: modes.real\n"
msg_prot: .asciz "PASS: modes.protected32\n"
msg_long: .asciz "PASS: modes.long64\n"
msg_fail: .asciz "FAIL: modes.switch\n"
