/* SPDX-License-Identifier: MIT */
/* Build-time limits, one line each. Shared with host tools and tests. */
#ifndef BASALT_LIMITS_H
#define BASALT_LIMITS_H

#define MAX_CPUS        64   /* physical CPUs brought online */
#define MAX_IOAPICS     8    /* host IOAPICs recorded from MADT / MP table */
#define MAX_IRQ_OVERRIDES 16 /* MADT interrupt source overrides kept */
#define CPU_STACK_SIZE  (16 * 1024) /* per-CPU kernel stack */
#define IST_STACK_SIZE  (4 * 1024)  /* per-CPU #DF / NMI / #MC stacks */
#define HEAP_SIZE       (4 * 1024 * 1024) /* kernel heap (kmalloc) */

#endif
