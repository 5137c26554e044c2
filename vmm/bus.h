/* SPDX-License-Identifier: MIT */
/*
 * Per-VM device buses: one for I/O ports, one for MMIO. A device claims
 * regions; an access is routed to the device with the offset into its
 * region (devices never see absolute addresses). Overlapping claims are
 * refused. Devices are described by one ops table each (see vdev.h).
 */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev.h"

#define BUS_MAX_REGIONS 32

struct bus_region {
	uint64_t base, len;
	struct vdev *dev;
	uint64_t dev_offset; /* region offset 0 is this offset for the device */
};

struct bus {
	const char *name; /* "pio" or "mmio", for messages */
	unsigned n;
	struct bus_region r[BUS_MAX_REGIONS]; /* sorted by base */
};

void bus_init(struct bus *b, const char *name);
/* Claim [base, base+len) for dev: 0, -EEXIST on overlap, -ENOSPC, -EINVAL. */
int bus_add(struct bus *b, uint64_t base, uint64_t len, struct vdev *dev, uint64_t dev_offset);
/* The region holding addr, or NULL. */
const struct bus_region *bus_find(const struct bus *b, uint64_t addr);
/*
 * Route an access of size bytes (1, 2, 4 or 8) at addr. Returns the
 * device's result, or -ENODEV when no device claims the whole access.
 */
int bus_access(const struct bus *b, uint64_t addr, unsigned size, bool write, uint64_t *val);

#endif
