/* SPDX-License-Identifier: MIT */
/* GDT selectors, shared by C and assembly. The boot GDT uses the same. */
#ifndef ARCH_SEGMENT_H
#define ARCH_SEGMENT_H

#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_TSS    0x18 /* 16-byte descriptor: slots 3 and 4 */
#define GDT_ENTRIES 5

#endif
