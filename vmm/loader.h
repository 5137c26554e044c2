/* SPDX-License-Identifier: MIT */
/*
 * Guest image loaders: put a kernel image into a VM's RAM and say how its
 * vCPU 0 starts. The image is untrusted input: every header field is
 * checked against the image size and the VM's RAM, and a bad image fails
 * with a message naming what is wrong.
 *
 *   flat       raw bytes copied to `load`, entry `entry`, start mode as asked
 *   multiboot  a multiboot (v1) ELF32: PT_LOAD segments, 32-bit protected
 *              mode entry with EAX = 0x2badb002 and EBX = the information
 *              block (memory map, command line)
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/vmx_vcpu.h"

struct vm;

enum guest_format { GUEST_FLAT, GUEST_MULTIBOOT };

struct guest_image {
	const uint8_t *data;
	size_t size;
	enum guest_format format;
	enum vcpu_start_mode mode; /* flat only */
	uint64_t load, entry;      /* flat only */
	const char *cmdline;
};

/* Guest pages the loaders use for their own structures. */
#define LOADER_PT_GPA   0x1000ull /* long-mode page tables: 6 pages */
#define LOADER_MBI_GPA  0x7000ull /* multiboot information + command line */
#define LOADER_MBI_SIZE 0x1000ull

/* Load img into vm and fill *start. 0 or -errno (logged with the VM's name). */
int loader_load(struct vm *vm, const struct guest_image *img, struct vcpu_start *start);

#endif
