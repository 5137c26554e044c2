/* SPDX-License-Identifier: MIT */
/*
 * Emulated devices: one file per device under vmm/dev/, each exporting one
 * const struct vdev_ops, registered by name in vmm/dev/devices.c.
 *
 *   create   allocate state, claim bus regions; 0 or -errno (nothing left behind)
 *   reset    back to power-on state (VM restart)
 *   access   one read or write of size bytes at offset (into the device's
 *            own space); reads fill *val; 0 or -errno. Called from the
 *            exit path of a vCPU of the device's VM.
 *   destroy  free everything create allocated
 *
 * A guest controls every value a device sees: validate, never trust.
 */
#ifndef VMM_VDEV_H
#define VMM_VDEV_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vdev;

struct vdev_ops {
	const char *name;
	int (*create)(struct vdev *d);
	void (*reset)(struct vdev *d);
	int (*access)(struct vdev *d, uint64_t offset, unsigned size, bool write, uint64_t *val);
	void (*destroy)(struct vdev *d);
};

struct vdev {
	const struct vdev_ops *ops;
	struct vm *vm;
	void *priv;
};

/* The ops of a registered device type, or NULL. */
const struct vdev_ops *vdev_lookup(const char *name);
/* Create a device of type name in vm: 0 or -errno. */
int vdev_create(struct vm *vm, const char *name);

#endif
