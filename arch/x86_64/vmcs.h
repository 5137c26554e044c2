/* SPDX-License-Identifier: MIT */
/*
 * VMCS access. Fields come from the one list in vmcs_fields.h; every
 * accessor states its width and a mismatch is a compile error:
 *
 *   vmcs_write32(VMCS_EXCEPTION_BITMAP, bits);   ok
 *   vmcs_write16(VMCS_GUEST_RIP, rip);           error: not a 16-bit field
 *
 * A failed VMREAD/VMWRITE is not fatal here: the first failure on a CPU is
 * recorded (field and VM-instruction error) for vmcs_check() to report,
 * so a broken VMCS stops one VM, not the machine. Arch code only.
 */
#ifndef ARCH_VMCS_H
#define ARCH_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/vmcs_fields.h"

enum vmcs_field {
#define X(name, enc, width) VMCS_##name = enc,
	VMCS_FIELDS(X)
#undef X
};

/* Bits 14:13 of an encoding: 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural. */
#define VMCS_WIDTH_CODE(enc) (((enc) >> 13) & 3)
#define VMCS_CODE_OF(width) ((width) == 16 ? 0 : (width) == 64 ? 1 : (width) == 32 ? 2 : 3)

#define X(name, enc, width)                                                     \
	_Static_assert(VMCS_WIDTH_CODE(enc) == VMCS_CODE_OF(width),             \
		       "VMCS field " #name ": width does not match its encoding");
VMCS_FIELDS(X)
#undef X

/* The failure bookkeeping behind the accessors (vmcs.c). */
void vmcs_note_failure(uint32_t field, bool write);

static inline void vmcs_write_raw(uint32_t field, uint64_t value)
{
	bool fail;

	asm volatile("vmwrite %[val], %[fld]" : "=@ccbe"(fail)
		     : [fld] "r"((uint64_t)field), [val] "rm"(value) : "memory");
	if (__builtin_expect(fail, 0))
		vmcs_note_failure(field, true);
}

static inline uint64_t vmcs_read_raw(uint32_t field)
{
	uint64_t value;
	bool fail;

	asm volatile("vmread %[fld], %[val]" : [val] "=rm"(value), "=@ccbe"(fail)
		     : [fld] "r"((uint64_t)field) : "memory");
	if (__builtin_expect(fail, 0)) {
		vmcs_note_failure(field, false);
		return 0;
	}
	return value;
}

/*
 * VMREAD of a field that cannot fail: one the CPU always has, with a
 * current VMCS (the exit path). Skips the failure bookkeeping.
 */
static inline uint64_t vmcs_read_fast(uint32_t field)
{
	uint64_t value;

	asm volatile("vmread %[fld], %[val]" : [val] "=r"(value) : [fld] "r"((uint64_t)field));
	return value;
}

/* VMWRITE that cannot fail (a guest-state field of the current VMCS). */
static inline void vmcs_write_fast(uint32_t field, uint64_t value)
{
	asm volatile("vmwrite %[val], %[fld]" : : [fld] "r"((uint64_t)field), [val] "r"(value)
		     : "memory");
}

#define VMCS_CHECK(f, code, what)                                               \
	_Static_assert(VMCS_WIDTH_CODE(f) == (code), #f " is not a " what " field")

#define vmcs_write16(f, v) ({ VMCS_CHECK(f, 0, "16-bit"); vmcs_write_raw(f, (uint16_t)(v)); })
#define vmcs_write64(f, v) ({ VMCS_CHECK(f, 1, "64-bit"); vmcs_write_raw(f, (uint64_t)(v)); })
#define vmcs_write32(f, v) ({ VMCS_CHECK(f, 2, "32-bit"); vmcs_write_raw(f, (uint32_t)(v)); })
#define vmcs_writel(f, v)  ({ VMCS_CHECK(f, 3, "natural-width"); vmcs_write_raw(f, (uint64_t)(v)); })
#define vmcs_read16(f) ({ VMCS_CHECK(f, 0, "16-bit"); (uint16_t)vmcs_read_raw(f); })
#define vmcs_read64(f) ({ VMCS_CHECK(f, 1, "64-bit"); vmcs_read_raw(f); })
#define vmcs_read32(f) ({ VMCS_CHECK(f, 2, "32-bit"); (uint32_t)vmcs_read_raw(f); })
#define vmcs_readl(f)  ({ VMCS_CHECK(f, 3, "natural-width"); vmcs_read_raw(f); })

/* The field's name for messages ("GUEST_RIP"), or "unknown". */
const char *vmcs_field_name(uint32_t field);
/* The VM-instruction error's meaning (SDM Vol. 3C, "VM Instruction Error Numbers"). */
const char *vmcs_insn_error_name(uint32_t err);
/*
 * 0 when no VMREAD/VMWRITE failed since the last call on this CPU; else
 * -EIO, with the first failure logged ("VMWRITE GUEST_CR0 failed: ...").
 */
int vmcs_check(const char *who);
/* Print every field of the current VMCS. */
void vmcs_dump(void);

/* Make phys the current VMCS (VMCLEAR first when fresh); 0 or -EIO. */
int vmcs_clear(uint64_t phys);
int vmcs_load(uint64_t phys);

#endif
