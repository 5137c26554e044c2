// SPDX-License-Identifier: MIT
/* Device buses: a short sorted array per VM, searched linearly (few devices). */
#include "arch/x86_64/lib/errno.h"
#include "vmm/bus.h"

void bus_init(struct bus *b, const char *name)
{
	b->name = name;
	b->n = 0;
}

int bus_add(struct bus *b, uint64_t base, uint64_t len, struct vdev *dev, uint64_t dev_offset)
{
	unsigned i;

	if (!len || base + len < base)
		return -EINVAL;
	if (b->n == BUS_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < b->n; i++)
		if (base < b->r[i].base + b->r[i].len && b->r[i].base < base + len)
			return -EEXIST;
	for (i = b->n; i > 0 && b->r[i - 1].base > base; i--)
		b->r[i] = b->r[i - 1];
	b->r[i] = (struct bus_region){ base, len, dev, dev_offset };
	b->n++;
	return 0;
}

/* Regions are sorted and disjoint: the candidate is the last one starting at or below addr. */
const struct bus_region *bus_find(const struct bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->n; /* the answer's index + 1 is in [lo, hi] */

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (b->r[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr - b->r[lo - 1].base < b->r[lo - 1].len)
		return &b->r[lo - 1];
	return 0;
}

int bus_access(const struct bus *b, uint64_t addr, unsigned size, bool write, uint64_t *val)
{
	const struct bus_region *r = bus_find(b, addr);
	uint64_t off;

	if (!r)
		return -ENODEV;
	off = addr - r->base;
	if (size > r->len - off)
		return -ENODEV; /* straddles the region's end */
	return r->dev->ops->access(r->dev, r->dev_offset + off, size, write, val);
}
