/* SPDX-License-Identifier: MIT */
/*
 * The configured guests (vmm/main.c), as the monitor sees them: each has a
 * name and, while it runs, a VM. Boot CPU only.
 */
#ifndef VMM_GUEST_H
#define VMM_GUEST_H

struct vm;

unsigned guest_count(void);
const char *guest_name(unsigned i);
/* The running VM of guest i, or NULL. */
struct vm *guest_vm(unsigned i);
/* Stop guest i's VM (if running) and start it afresh. */
void guest_restart(unsigned i);
/* The index of the guest called name, or -1. */
int guest_find(const char *name);

#endif
