/* SPDX-License-Identifier: MIT */
/*
 * Guest FPU/SSE/AVX state. The hypervisor itself never uses the FPU (it is
 * built without SSE or x87), so guest state stays in the registers while a
 * vCPU runs and is switched only when another vCPU takes the CPU. Each
 * switch saves and restores every component the CPU supports, so nothing
 * of one guest's state survives into another's.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stdint.h>

/* Boot CPU: probe XSAVE; every CPU: enable FXSR/XSAVE in CR4. */
void fpu_init_cpu(void);
/* Bytes a vCPU's save area needs (page multiple). */
uint64_t fpu_area_size(void);
/* A fresh area (host-physical, zeroed) = the architectural init state. */
void fpu_area_init(void *area);
/* Restore the vCPU's state and its XCR0; save it back. */
void fpu_load(void *area, uint64_t xcr0);
void fpu_save(void *area);
/* The XCR0 components a guest may enable. */
uint64_t fpu_xcr0_supported(void);
/* Set XCR0 (validated by the caller against fpu_xcr0_supported()). */
void fpu_set_xcr0(uint64_t xcr0);

#endif
