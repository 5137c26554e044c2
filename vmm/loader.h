/* SPDX-License-Identifier: MIT */
/*
 * Guest image loaders: put a kernel image (and an initrd) into a VM's RAM
 * and say how its vCPU 0 starts. The image is untrusted input: every
 * header field is checked against the image size and the VM's RAM, and a
 * bad image fails with one message naming the VM and what is wrong.
 *
 *   flat       raw bytes copied to `load`, entry `entry`, start mode as asked
 *   multiboot  a multiboot (v1) ELF32: PT_LOAD segments, 32-bit protected
 *              mode entry with EAX = 0x2badb002 and EBX = the information
 *              block (memory sizes and map, command line, the initrd as
 *              module 0)
 *   linux      a bzImage (Linux x86 boot protocol 2.06 or later): the
 *              protected-mode kernel, a zero page and an initrd; 64-bit
 *              entry (long mode, RSI = zero page) when the kernel has one,
 *              else 32-bit entry at code32_start (ESI = zero page)
 *   pvh        an ELF32/ELF64 with the Xen PVH entry note: PT_LOAD segments
 *              at their physical addresses, 32-bit protected mode entry with
 *              EBX = struct hvm_start_info
 *
 * Guest-physical layout of the loaders' own structures (below 1 MiB):
 *
 *   0x00000-0x00fff  untouched (real-mode IVT / BDA area)
 *   0x01000-0x06fff  long-mode page tables: PML4, PDPT, 4 PDs; identity map
 *                    of 0-4 GiB with 2 MiB pages (flat long64, linux 64-bit)
 *   0x07000-0x07fff  multiboot information, memory map, module list, strings
 *   0x08000-0x08fff  linux zero page (struct boot_params) or PVH
 *                    hvm_start_info + module list + memory map
 *   0x09000-0x09fff  linux / PVH command line (NUL-terminated) and, for PVH,
 *                    the initrd's module string
 *   0x0a000-0x9fbff  free low memory, usable by the guest
 *   0x9fc00-0xfffff  reserved in the memory map (EBDA, VGA, firmware tables;
 *                    the ACPI RSDP at FW_RSDP_GPA, vmm/fwtables.h)
 *   0x100000-        the kernel; the initrd at the top of RAM
 *
 * Kernel segments may not overlap 0x1000-0xa000 nor the reserved range.
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/vmx_vcpu.h"

struct vm;

enum guest_format { GUEST_FLAT, GUEST_MULTIBOOT, GUEST_LINUX, GUEST_PVH };

struct guest_image {
	const uint8_t *data;
	size_t size;
	enum guest_format format;
	enum vcpu_start_mode mode; /* flat only */
	uint64_t load, entry;      /* flat only */
	const char *cmdline;
	const uint8_t *initrd;     /* NULL: none (flat ignores it) */
	size_t initrd_size;
	const char *initrd_name;   /* its module string; set while initrd NULL: not found */
};

/* Guest pages the loaders use for their own structures (see the map above). */
#define LOADER_PT_GPA      0x1000ull /* long-mode page tables: 6 pages */
#define LOADER_MBI_GPA     0x7000ull /* multiboot information + strings */
#define LOADER_MBI_SIZE    0x1000ull
#define LOADER_ZP_GPA      0x8000ull /* linux zero page / PVH start info */
#define LOADER_CMDLINE_GPA 0x9000ull /* linux / PVH command line */
#define LOADER_CMDLINE_MAX 0x1000ull /* its page, NUL included */
#define LOADER_AREA_END    0xa000ull /* end of the loaders' pages */

/* Load img into vm and fill *start. 0 or -errno (logged with the VM's name). */
int loader_load(struct vm *vm, const struct guest_image *img, struct vcpu_start *start);

/* Which loader an image wants (format = auto): PVH needs the Xen note and no multiboot header. */
enum guest_format loader_detect(const uint8_t *data, size_t size);

/* format = linux: PVH for an ELF with the Xen note, else bzImage. */
enum guest_format loader_detect_linux(const uint8_t *data, size_t size);

/* "flat", "multiboot", "linux", "pvh". */
const char *loader_format_name(enum guest_format f);

#endif
