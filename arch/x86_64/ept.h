/* SPDX-License-Identifier: MIT */
/*
 * Extended Page Tables: the guest-physical -> host-physical map of one VM
 * (SDM Vol. 3C, "The Extended Page Table Mechanism (EPT)"). 4-level walks,
 * 48-bit guest-physical addresses, host-physical addresses below 2^52.
 *
 * This file only builds and reads the tables; it executes no privileged
 * instruction. ept_map() only adds translations and needs no flush (the
 * processor caches no not-present EPT entries); after ept_unmap() the
 * caller must INVEPT (vmx_invept()) before any vCPU using the tables runs
 * again. Table pages come from the caller through struct ept_ops, so the
 * code runs unchanged in host tests.
 *
 * Concurrency: one caller at a time per struct ept (the VM's lock). The
 * processor may read the tables (and set accessed/dirty bits) while they
 * change: each entry is written with one 64-bit store, and a new table is
 * filled before the entry pointing to it is. ept_unmap() frees tables at
 * once, so it must run while no vCPU of the VM is in guest mode, followed
 * by INVEPT before they re-enter.
 *
 * Errors are negative errno values; a failed call changes nothing.
 */
#ifndef ARCH_EPT_H
#define ARCH_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Access rights (perm arguments and results): EPT entry bits 2:0. */
#define EPT_R 0x1u
#define EPT_W 0x2u
#define EPT_X 0x4u
#define EPT_RWX (EPT_R | EPT_W | EPT_X)

/* Memory types (SDM Vol. 3C, "EPT and Memory Typing"). */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u

/* Capabilities ept_init() may use (from IA32_VMX_EPT_VPID_CAP). */
#define EPT_CAP_2M 0x1u /* 2-MByte leaves (bit 16) */
#define EPT_CAP_1G 0x2u /* 1-GByte leaves (bit 17); used only together with 2M */
#define EPT_CAP_AD 0x4u /* accessed and dirty flags (bit 21) */
#define EPT_CAP_XO 0x8u /* execute-only translations (bit 0) */

#define EPT_GPA_LIMIT (1ull << 48) /* guest-physical addresses are below this */
#define EPT_HPA_LIMIT (1ull << 52) /* host-physical addresses are below this */

/* Leaf levels reported by ept_walk(). */
#define EPT_LEVEL_4K 1u
#define EPT_LEVEL_2M 2u
#define EPT_LEVEL_1G 3u

struct ept_ops {
	/* A zeroed, 4 KiB-aligned page below 2^52: its host-physical address; 0 = no memory. */
	uint64_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t hpa);
	/* Host pointer to a table page alloc_table returned. */
	void *(*table_ptr)(void *ctx, uint64_t hpa);
	void *ctx;
};

struct ept {
	uint64_t root;               /* host-physical address of the PML4 */
	const struct ept_ops *ops;
	bool large_2m, large_1g, ad; /* capabilities in use */
	bool xonly;                  /* execute-only leaves allowed */
	uint64_t tables;             /* table pages held, root included */
};

/*
 * Set up an empty map (allocates the root). caps: EPT_CAP_* the processor
 * has; 1G without 2M is ignored. -EINVAL unknown caps, -ENOMEM.
 */
int ept_init(struct ept *e, const struct ept_ops *ops, unsigned caps);

/*
 * Map [gpa, gpa+size) to [hpa, hpa+size) with access perm (EPT_R|W|X) and
 * memory type memtype (EPT_MT_*). Uses 1 GiB / 2 MiB leaves where the
 * capability, the alignment of both gpa and hpa, and the size allow, 4 KiB
 * leaves otherwise. -EINVAL: unaligned or zero size, beyond the limits,
 * no access, write without read, execute-only without EPT_CAP_XO, bad
 * memory type. -EEXIST: part of the range is mapped. -ENOMEM. On error
 * nothing changed.
 */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm,
	    unsigned memtype);

/*
 * Unmap [gpa, gpa+size); holes in it are fine. Large leaves straddling an
 * end are split first; tables left empty are freed. -EINVAL bad range,
 * -ENOMEM (a split needs up to 4 tables): nothing changed. See the INVEPT
 * rule above.
 */
int ept_unmap(struct ept *e, uint64_t gpa, uint64_t size);

/*
 * Translate gpa: host-physical address, effective access rights and leaf
 * level (EPT_LEVEL_*); each out pointer may be NULL. -ENOENT when not
 * mapped, -EINVAL beyond EPT_GPA_LIMIT.
 */
int ept_walk(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned *perm, unsigned *level);

/* Free every table (not the memory mapped). The struct may be initialized again. */
void ept_destroy(struct ept *e);

/* The VMCS EPT pointer: write-back tables, 4-level walk, A/D enable when e->ad. */
uint64_t ept_eptp(const struct ept *e);

/*
 * The exit qualification of an EPT violation in words, e.g. "write to a
 * page that is readable, not writable, executable; at the translation of
 * a guest-linear address". Always NUL-terminates when size > 0. Returns the
 * length written, -ENOSPC when truncated, -EINVAL when size is 0.
 */
int ept_describe_violation(uint64_t qual, char *buf, size_t size);

#endif
