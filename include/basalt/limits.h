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
#define MAX_VMS         16   /* VMs in one boot manifest */
#define MAX_VCPUS_PER_VM 8   /* vCPUs of one VM */
#define MAX_VM_DISKS    4    /* disk images of one VM */
#define MANIFEST_MAX_LINE 1024 /* characters of one manifest line, line end excluded */
#define MANIFEST_PATH_LEN 128  /* file path in a manifest, NUL included */
#define MANIFEST_CMDLINE_LEN 512 /* guest command line, NUL included */
#define MANIFEST_MAX_DIAGS 32  /* error messages kept by one manifest check */
#define MANIFEST_DIAG_LEN 160  /* one error message, NUL included */

#endif
