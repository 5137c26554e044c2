// SPDX-License-Identifier: MIT
/*
 * Debug console at port 0xe9 (Bochs/QEMU compatible): every byte written
 * goes to the VM's console line; reads return 0xe9, the conventional
 * "present" answer.
 */
#include "include/basalt/testdev.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

static int debugcon_create(struct vdev *d)
{
	return bus_add(&d->vm->pio, DEBUGCON_PORT, 1, d, 0);
}

static int debugcon_access(struct vdev *d, uint64_t off, unsigned size, bool write,
			   uint64_t *val)
{
	(void)off, (void)size;
	if (write)
		vm_console_putc(d->vm, (char)*val);
	else
		*val = DEBUGCON_PORT;
	return 0;
}

const struct vdev_ops debugcon_ops = {
	.name = "debugcon",
	.create = debugcon_create,
	.access = debugcon_access,
};
