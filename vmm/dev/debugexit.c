// SPDX-License-Identifier: MIT
/*
 * isa-debug-exit at port 0xf4 (QEMU compatible): a write of V stops the
 * VM with exit code (V << 1) | 1, as QEMU reports it.
 */
#include "include/basalt/testdev.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

static int debugexit_create(struct vdev *d)
{
	return bus_add(&d->vm->pio, DEBUG_EXIT_PORT, 4, d, 0);
}

static int debugexit_access(struct vdev *d, uint64_t off, unsigned size, bool write,
			    uint64_t *val)
{
	(void)off, (void)size;
	if (!write) {
		*val = 0;
		return 0;
	}
	d->vm->exit_code = (int)((*val << 1) | 1);
	vm_stop(d->vm, VM_STOP_POWEROFF, "debug exit with code %d", d->vm->exit_code);
	return 0;
}

const struct vdev_ops debugexit_ops = {
	.name = "isa-debug-exit",
	.create = debugexit_create,
	.access = debugexit_access,
};
