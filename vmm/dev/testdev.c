// SPDX-License-Identifier: MIT
/*
 * The test device (include/basalt/testdev.h): scratch ports and a 4 KiB
 * MMIO window that remember what was written, and registers reporting the
 * last access, so test guests can check every access width and form the
 * instruction emulator claims, plus null registers for benchmarks.
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "include/basalt/testdev.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

/* Device offsets: the port window first, the MMIO window after it. */
#define OFF_PIO      0x0000u
#define OFF_PIO_NULL 0x0008u
#define OFF_MMIO     0x1000u

struct testdev {
	uint8_t pio[TESTDEV_PIO_LEN];
	uint8_t mmio[TESTDEV_SCRATCH_LEN];
	uint64_t last, count;
	uint8_t timer_vector;
};

static int testdev_create(struct vdev *d)
{
	struct vm *vm = d->vm;
	int err;

	d->priv = kzalloc(sizeof(struct testdev));
	if (!d->priv)
		return -ENOMEM;
	err = bus_add(&vm->pio, TESTDEV_PIO, TESTDEV_PIO_LEN, d, OFF_PIO);
	if (!err)
		err = bus_add(&vm->pio, TESTDEV_PIO_NULL, 1, d, OFF_PIO_NULL);
	if (!err)
		err = bus_add(&vm->mmio, TESTDEV_MMIO_BASE, TESTDEV_MMIO_LEN, d, OFF_MMIO);
	if (err)
		kfree(d->priv);
	return err;
}

static void testdev_reset(struct vdev *d)
{
	memset(d->priv, 0, sizeof(struct testdev));
}

/* Memory-like registers: little-endian bytes, any width, bounds-checked. */
static void scratch(uint8_t *mem, uint64_t len, uint64_t off, unsigned size, bool write,
		    uint64_t *val)
{
	if (off + size > len) {
		if (!write)
			*val = ~0ull;
		return;
	}
	if (write)
		memcpy(mem + off, val, size);
	else {
		*val = 0;
		memcpy(val, mem + off, size);
	}
}

static int testdev_access(struct vdev *d, uint64_t off, unsigned size, bool write,
			  uint64_t *val)
{
	struct testdev *t = d->priv;

	if (off < OFF_PIO_NULL) {
		scratch(t->pio, sizeof(t->pio), off - OFF_PIO, size, write, val);
		return 0;
	}
	if (off < OFF_MMIO) { /* null port */
		if (!write)
			*val = 0;
		return 0;
	}
	off -= OFF_MMIO;
	if (off == TESTDEV_REG_NULL) {
		if (!write)
			*val = 0;
		return 0;
	}
	if (off == TESTDEV_REG_EPOCH) {
		if (!write)
			*val = vmm_epoch_tsc();
		return 0;
	}
	if (off == TESTDEV_REG_TIMER_VECTOR) {
		if (write)
			t->timer_vector = (uint8_t)*val;
		else
			*val = t->timer_vector;
		return 0;
	}
	if (off == TESTDEV_REG_TIMER) {
		struct vcpu *v = d->vm->vcpus[0];

		if (!write) {
			*val = v->wake_tsc;
		} else if (t->timer_vector >= 32) {
			v->wake_vector = t->timer_vector;
			v->wake_tsc = *val;
		}
		return 0;
	}
	if (off == TESTDEV_REG_IRQ) {
		if (write)
			vm_raise_irq(d->vm, (uint8_t)*val);
		else
			*val = 0;
		return 0;
	}
	if (off < TESTDEV_SCRATCH_LEN) {
		t->last = size | (uint64_t)write << 8 | off << 16;
		t->count++;
		scratch(t->mmio, sizeof(t->mmio), off, size, write, val);
		return 0;
	}
	if (!write)
		*val = off == TESTDEV_REG_LAST ? t->last : off == TESTDEV_REG_COUNT ? t->count : 0;
	return 0;
}

static void testdev_destroy(struct vdev *d)
{
	kfree(d->priv);
}

const struct vdev_ops testdev_ops = {
	.name = "testdev",
	.create = testdev_create,
	.reset = testdev_reset,
	.access = testdev_access,
	.destroy = testdev_destroy,
};
