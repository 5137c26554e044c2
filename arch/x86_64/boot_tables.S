/* SPDX-License-Identifier: MIT */
/*
 * What both boot paths need before C runs: a GDT with a 64-bit code
 * segment, a stack, and page tables identity-mapping the first 4 GiB with
 * 2 MiB pages. The tables are filled at link time (the core has fixed
 * addresses), so no code has to build them. They are temporary: paging.c
 * replaces them with W^X tables early in boot.
 */
#include "arch/x86_64/segment.h"

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080
#define PAGE_2M 0x200000

	.section .data.pagetables, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + (PTE_P | PTE_W)
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x0000 + (PTE_P | PTE_W)
	.quad boot_pd + 0x1000 + (PTE_P | PTE_W)
	.quad boot_pd + 0x2000 + (PTE_P | PTE_W)
	.quad boot_pd + 0x3000 + (PTE_P | PTE_W)
	.fill 508, 8, 0
boot_pd:
	.set addr, 0
	.rept 2048
	.quad addr + (PTE_P | PTE_W | PTE_PS)
	.set addr, addr + PAGE_2M
	.endr

	.section .rodata
	.balign 16
	.globl boot_gdt, boot_gdt_desc
boot_gdt:
	.quad 0                         /* null */
	.quad 0x00af9a000000ffff        /* SEL_CODE64: long mode, DPL 0 */
	.quad 0x00cf92000000ffff        /* SEL_DATA: flat, writable */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.balign 4096
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
