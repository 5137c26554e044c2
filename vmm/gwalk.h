/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker: guest-linear -> guest-physical for the guest's
 * current paging mode (SDM Vol. 3A, chapter "Paging"): paging off, 32-bit
 * paging (4 MiB pages with CR4.PSE, PSE-36), PAE paging and 4-level paging
 * (1 GiB / 2 MiB / 4 KiB pages). 5-level paging (CR4.LA57) is refused.
 *
 * The walker reads guest page tables only through w->read_gpa and never
 * writes: it does not set accessed or dirty flags. It checks present
 * bits, reserved bits (for the given MAXPHYADDR), R/W with CR0.WP, U/S,
 * NX (EFER.NXE), SMEP and SMAP. Protection keys and shadow stacks are not
 * checked. PAE PDPTEs are read from memory at CR3, not from the VMCS.
 *
 * Pure and reentrant; any context. Results:
 *   0        *out holds the translation.
 *   -EFAULT  the access would fault: *pf_error holds the #PF error code to
 *            inject (GWALK_PF_*), the faulting address being gla.
 *   -ERANGE  4-level paging, non-canonical gla: #GP (or #SS), not #PF.
 *   -EIO     a guest paging structure is not readable (read_gpa failed):
 *            the guest's tables point outside its RAM.
 *   -ENOTSUP CR4.LA57 paging.
 *   -EINVAL  inconsistent control registers, MAXPHYADDR outside 32..52,
 *            or both GWALK_WRITE and GWALK_FETCH.
 * *pf_error is 0 unless the result is -EFAULT (0 is also a valid error
 * code: a supervisor read of a not-present page).
 * In 32-bit modes gla is truncated to 32 bits, as the processor wraps.
 */
#ifndef VMM_GWALK_H
#define VMM_GWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/types.h"

/* Access kinds (flags); a plain supervisor data read is 0. */
#define GWALK_READ  0x0u
#define GWALK_WRITE 0x1u /* data write */
#define GWALK_USER  0x2u /* user-mode access (CPL 3, not an implicit supervisor access) */
#define GWALK_FETCH 0x4u /* instruction fetch */
#define GWALK_AC    0x8u /* explicit supervisor access with RFLAGS.AC = 1: SMAP allows user pages */

/* Page-fault error code bits (SDM Vol. 3A, "Page-Fault Exceptions"). */
#define GWALK_PF_P    0x01u /* protection violation (0: not present) */
#define GWALK_PF_W    0x02u /* the access was a write */
#define GWALK_PF_U    0x04u /* the access was a user-mode access */
#define GWALK_PF_RSVD 0x08u /* a reserved bit was set in a paging-structure entry */
#define GWALK_PF_I    0x10u /* instruction fetch (with CR4.SMEP, or PAE/4-level and NXE) */

/* Control-register bits the walk uses. */
#define GWALK_CR0_WP   (1ull << 16)
#define GWALK_CR0_PG   (1ull << 31)
#define GWALK_CR4_PSE  (1ull << 4)
#define GWALK_CR4_PAE  (1ull << 5)
#define GWALK_CR4_LA57 (1ull << 12)
#define GWALK_CR4_SMEP (1ull << 20)
#define GWALK_CR4_SMAP (1ull << 21)
#define GWALK_EFER_LMA (1ull << 10)
#define GWALK_EFER_NXE (1ull << 11)

struct gwalk_ctx {
	uint64_t cr0, cr3, cr4, efer;
	unsigned maxphyaddr; /* the guest's physical-address width, 32..52 */
	bool gbpages;        /* 1 GiB pages exist (CPUID.80000001H:EDX[26]) */
	/* Read len bytes of guest-physical memory: 0 or -EFAULT. */
	int (*read_gpa)(void *ctx, uint64_t gpa, void *buf, size_t len);
	void *ctx;
	/*
	 * Optional: where a successful walk stores the guest-physical address
	 * and value of the leaf entry it used (callers that cache a
	 * translation re-check that entry to see whether it still holds).
	 */
	uint64_t *leaf_gpa, *leaf_val;
};

/* Translate gla for an access of kind access (GWALK_*); see above. */
int gwalk_translate(const struct gwalk_ctx *w, uint64_t gla, unsigned access, gpa_t *out,
		    uint32_t *pf_error);

#endif
