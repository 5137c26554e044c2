/* SPDX-License-Identifier: MIT */
/*
 * The native baseline's start line: a multiboot2 kernel that GRUB loads
 * with the same modules (bzImage, initramfs) the native Linux boot loads,
 * and that prints "BASALT-ENTRY tsc=N" on COM1 at its first instruction.
 * N approximates the TSC at which GRUB would have entered Linux, so
 * (Linux's /init TSC - N) is the native kernel's boot cost.
 */
#define MB2_MAGIC 0xe85250d6
#define COM1 0x3f8
	.section .text
	.code32
	.align 8
header:
	.long MB2_MAGIC, 0, header_end - header
	.long -(MB2_MAGIC + (header_end - header))
	.word 0, 0
	.long 8
header_end:

	.globl _start
_start:
	rdtsc
	mov %eax, %esi            /* low half */
	mov %edx, %edi            /* high half */
	mov $msg, %ebx
1:	movb (%ebx), %al
	test %al, %al
	jz 2f
	call putc
	inc %ebx
	jmp 1b
	/* 64-bit value in edi:esi to decimal, by repeated division by 10 */
2:	mov $digits_end, %ebx
3:	xor %edx, %edx
	mov %edi, %eax
	mov $10, %ecx
	div %ecx                  /* high / 10 */
	mov %eax, %edi
	mov %esi, %eax
	div %ecx                  /* (rem:low) / 10 */
	mov %eax, %esi
	add $'0', %dl
	dec %ebx
	movb %dl, (%ebx)
	mov %edi, %eax
	or %esi, %eax
	jnz 3b
4:	movb (%ebx), %al
	test %al, %al
	jz 5f
	call putc
	inc %ebx
	jmp 4b
5:	mov $'\n', %al
	call putc
	/* the last byte leaves the UART, then the emulator run ends (Bochs: "Shutdown" to port 0x8900) */
	mov $COM1 + 5, %dx
9:	inb %dx, %al
	test $0x40, %al
	jz 9b
	mov $shutdown, %ebx
	mov $0x8900, %dx
8:	movb (%ebx), %al
	test %al, %al
	jz 6f
	outb %al, %dx
	inc %ebx
	jmp 8b
6:	cli
	hlt
	jmp 6b

putc:	mov %al, %ah
	mov $COM1 + 5, %dx
7:	inb %dx, %al
	test $0x20, %al
	jz 7b
	mov $COM1, %dx
	mov %ah, %al
	outb %al, %dx
	ret

	.section .data
msg:	.asciz "BASALT-ENTRY tsc="
shutdown: .asciz "Shutdown"
digits:	.space 24
digits_end:
	.byte 0
