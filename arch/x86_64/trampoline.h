/* SPDX-License-Identifier: MIT */
/*
 * Layout of the AP start-up trampoline's data block, shared by
 * trampoline.S and smp.c. The boot CPU copies the trampoline to a page
 * below 1 MiB and fills these fields (byte offsets from the page start)
 * before each INIT-SIPI-SIPI.
 */
#ifndef ARCH_TRAMPOLINE_H
#define ARCH_TRAMPOLINE_H

#define TR_DATA      0x100 /* data block offset; code is below */
#define TR_GDT_DESC  (TR_DATA + 0x00) /* u16 limit, u32 linear base */
#define TR_JMP32     (TR_DATA + 0x08) /* u32 offset, u16 selector */
#define TR_JMP64     (TR_DATA + 0x10) /* u32 offset, u16 selector */
#define TR_CR3       (TR_DATA + 0x18) /* u32: page-table root below 4 GiB */
#define TR_EFER      (TR_DATA + 0x1c) /* u32: EFER low half to set */
#define TR_ENTRY     (TR_DATA + 0x20) /* u64: C entry, ap_main(arg) */
#define TR_STACK     (TR_DATA + 0x28) /* u64: initial stack pointer */
#define TR_ARG       (TR_DATA + 0x30) /* u64: CPU index */
#define TR_GDT       (TR_DATA + 0x40) /* 4 descriptors */
#define TR_SIZE      (TR_DATA + 0x60)

#define TR_SEL_CODE64 0x08
#define TR_SEL_DATA   0x10
#define TR_SEL_CODE32 0x18

#endif
