// SPDX-License-Identifier: MIT
/* The device bus (vmm/bus.c): claims, overlaps, and lookups by address. */
#include "tests/unit/unit.h"

#include "vmm/bus.c"

static struct vdev devs[8];

TEST(bus_find_every_region)
{
	static const uint64_t bases[] = { 0x20, 0x40, 0x61, 0x70, 0x80, 0xa0, 0x3f8, 0x510 };
	struct bus b;

	bus_init(&b, "pio");
	/* claimed out of order: the bus keeps them sorted */
	for (int i = 7; i >= 0; i--)
		CHECK_EQ_I(bus_add(&b, bases[i], i == 6 ? 8 : 2, &devs[i], 0x100 * (unsigned)i), 0);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t len = i == 6 ? 8 : 2;

		CHECK(bus_find(&b, bases[i]) && bus_find(&b, bases[i])->dev == &devs[i]);
		CHECK(bus_find(&b, bases[i] + len - 1)->dev == &devs[i]);
		CHECK(!bus_find(&b, bases[i] + len));
		CHECK(!bus_find(&b, bases[i] - 1));
	}
	CHECK(!bus_find(&b, 0));
	CHECK(!bus_find(&b, ~0ull));
}

TEST(bus_overlaps_refused)
{
	struct bus b;

	bus_init(&b, "mmio");
	CHECK_EQ_I(bus_add(&b, 0x1000, 0x1000, &devs[0], 0), 0);
	CHECK_EQ_I(bus_add(&b, 0x1fff, 1, &devs[1], 0), -EEXIST);
	CHECK_EQ_I(bus_add(&b, 0x0fff, 2, &devs[1], 0), -EEXIST);
	CHECK_EQ_I(bus_add(&b, 0x0800, 0x2000, &devs[1], 0), -EEXIST);
	CHECK_EQ_I(bus_add(&b, 0x2000, 1, &devs[1], 0), 0);
	CHECK_EQ_I(bus_add(&b, 0x0fff, 1, &devs[2], 0), 0);
	CHECK(bus_find(&b, 0x0fff)->dev == &devs[2]);
	CHECK(bus_find(&b, 0x1800)->dev == &devs[0]);
	CHECK(bus_find(&b, 0x2000)->dev == &devs[1]);
	CHECK(!bus_find(&b, 0x2001));
}

TEST(bus_empty)
{
	struct bus b;

	bus_init(&b, "pio");
	CHECK(!bus_find(&b, 0x80));
}
