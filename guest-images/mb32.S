/* SPDX-License-Identifier: MIT */
/*
 * A multiboot (v1) ELF32 guest: Basalt's multiboot loader starts it in
 * flat 32-bit protected mode, paging off, EAX = 0x2badb002 and EBX = the
 * information block. It checks the magic, the flags, the memory sizes and
 * the command line, then powers off through the debug-exit port.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003               /* page-align modules, want memory info */
#define LOADER_MAGIC 0x2badb002
#define DEBUGCON 0xe9
#define HC_POWEROFF 3

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text
	.code32
	.globl _start
_start:
	movl $stack_top, %esp
	movl %ebx, %ebp                 /* the information block */
	cmpl $LOADER_MAGIC, %eax
	jne 1f
	movl $msg_magic, %esi
	call pass
1:	movl %cr0, %eax
	testl $1, %eax                  /* PE set, PG clear */
	jz 2f
	testl $0x80000000, %eax
	jnz 2f
	movl $msg_mode, %esi
	call pass
2:	movl 0(%ebp), %eax              /* flags: MEM, CMDLINE, MMAP */
	andl $0x45, %eax
	cmpl $0x45, %eax
	jne 3f
	cmpl $639, 4(%ebp)              /* mem_lower in KiB */
	jne 3f
	cmpl $(15 * 1024), 8(%ebp)      /* mem_upper: 16 MiB VM, above 1 MiB */
	jne 3f
	movl $msg_info, %esi
	call pass
3:	movl 16(%ebp), %esi             /* the command line ends in "hello-mb" */
4:	lodsb
	testb %al, %al
	jnz 4b
	subl $9, %esi
	movl $str_hello, %edi
	movl $8, %ecx
	repe cmpsb
	jne 5f
	movl $msg_cmdline, %esi
	call pass
5:	movl $HC_POWEROFF, %eax
	xorl %edi, %edi
	vmcall

pass:
	pushl %esi
	movl $str_pass, %esi
	call puts
	popl %esi
	call puts
	movb $'\n', %al
	outb %al, $DEBUGCON
	ret

puts:
	lodsb
	testb %al, %al
	jz 1f
	outb %al, $DEBUGCON
	jmp puts
1:	ret

	.section .rodata
str_pass: .asciz "PASS: "
msg_magic: .asciz "mb32.loader-magic"
msg_mode: .asciz "mb32.protected-mode-no-paging"
msg_info: .asciz "mb32.info-memory"
msg_cmdline: .asciz "mb32.cmdline"
str_hello: .ascii "hello-mb"

	.section .bss
	.balign 16
	.skip 4096
stack_top:
