/* SPDX-License-Identifier: MIT */
/*
 * The one checked way to touch guest memory. Every helper checks the whole
 * range (overflow included) against the VM's RAM and fails with -EFAULT
 * rather than touching anything outside it. Guest addresses become host
 * pointers nowhere else.
 */
#ifndef VMM_GMEM_H
#define VMM_GMEM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/types.h"

struct vm;

int gmem_read(struct vm *vm, gpa_t gpa, void *buf, size_t len);
int gmem_write(struct vm *vm, gpa_t gpa, const void *buf, size_t len);
/* A host pointer to [gpa, gpa+len) when it lies inside one RAM region, else NULL. */
void *gmem_map(struct vm *vm, gpa_t gpa, size_t len);
/* Is gpa inside guest RAM? */
int gmem_is_ram(struct vm *vm, gpa_t gpa);

/*
 * Guest-linear access through the guest's current page tables (vCPU
 * context). Crossing pages is handled. Returns 0; -EFAULT when the guest
 * would take a page fault (error code in *pf_error, which may be 0: the
 * caller injects #PF); -ERANGE for a non-canonical address (#GP); -EIO
 * when the tables or the data lie outside guest RAM (stop the VM).
 */
int gmem_read_linear(struct vm *vm, uint64_t gla, void *buf, size_t len, uint32_t *pf_error);
int gmem_write_linear(struct vm *vm, uint64_t gla, const void *buf, size_t len,
		      uint32_t *pf_error);
struct vcpu;
/*
 * Read up to len instruction bytes at guest-linear gla (vCPU context),
 * stopping at the end of its page. Returns the bytes read or -EFAULT.
 */
int gmem_fetch(struct vcpu *v, uint64_t gla, void *buf, size_t len);
/* Translate one guest-linear address (access: GWALK_* flags from gwalk.h). */
int gmem_translate(struct vm *vm, uint64_t gla, unsigned access, gpa_t *out, uint32_t *pf_error);

#endif
