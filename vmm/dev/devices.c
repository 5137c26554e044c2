// SPDX-License-Identifier: MIT
/* The one place device types are registered, by name. */
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

static const struct vdev_ops *const types[] = {
	&acpi_pm_ops,
	&debugcon_ops,
	&debugexit_ops,
	&pit_ops,
	&rtc_ops,
	&sysport_ops,
	&testdev_ops,
	&lapic_ops,
	&pic_ops,
	&ioapic_ops,
	&uart_ops,
};

const struct vdev_ops *vdev_lookup(const char *name)
{
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

int vdev_create(struct vm *vm, const char *name)
{
	const struct vdev_ops *ops = vdev_lookup(name);
	struct vdev *d;
	int err;

	if (!ops)
		return -ENOENT;
	if (vm->nr_devs == VM_MAX_DEVS)
		return -ENOSPC;
	d = &vm->devs[vm->nr_devs];
	*d = (struct vdev){ .ops = ops, .vm = vm };
	err = ops->create(d);
	if (err)
		return err;
	vm->nr_devs++;
	return 0;
}
