// SPDX-License-Identifier: MIT
/*
 * The PC's small system ports:
 *
 *   0x80        POST code: writes accepted, reads 0
 *   0x60, 0x64  i8042 keyboard controller, a stub: no keyboard, no data
 *               (status: system flag set, both buffers empty); the
 *               commands that pulse the reset line reboot the VM
 *               (0xf0-0xff with bit 0 clear, e.g. 0xfe; or 0xd1 "write
 *               output port" with bit 0 clear)
 *   0x92        system control port A: bit 0 fast reset, bit 1 A20 (kept)
 *   0xcf9       reset control: bit 2 set resets (bit 1 hard/soft, kept)
 *
 * A reset stops the VM with VM_STOP_REBOOT; its policy decides what next.
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/spinlock.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

/* Device offsets of the ports. */
#define OFF_DATA  0
#define OFF_CMD   1
#define OFF_POST  2
#define OFF_PORTA 3
#define OFF_RESET 4

#define KBC_STATUS_SYS   0x04 /* system flag: POST passed */
#define KBC_STATUS_CMD   0x08 /* last write was to the command port */
#define KBC_STATUS_UNLOCK 0x10 /* keyboard not inhibited */
#define KBC_CMD_WRITE_OUT 0xd1 /* next data byte goes to the output port */
#define KBC_CMD_PULSE    0xf0 /* 0xf0-0xff: pulse output bits 3:0 that are 0 */
#define KBC_OUT_RESET    0x01 /* output port bit 0: 0 = CPU reset asserted */
#define PORTA_RESET      0x01
#define PORTA_A20        0x02
#define RST_SYS          0x02
#define RST_CPU          0x04

struct sysport {
	struct spinlock lock;
	bool last_cmd;        /* status bit 3 */
	bool want_out;        /* after 0xd1 */
	uint8_t porta, rst;
};

static void reboot(struct vdev *d, const char *why)
{
	vm_stop(d->vm, VM_STOP_REBOOT, "%s", why);
}

static void kbc_write(struct vdev *d, struct sysport *s, bool cmd, uint8_t v)
{
	s->last_cmd = cmd;
	if (!cmd) {
		if (s->want_out && !(v & KBC_OUT_RESET))
			reboot(d, "reset by the keyboard controller");
		s->want_out = false;
		return; /* no keyboard to send it to */
	}
	s->want_out = v == KBC_CMD_WRITE_OUT;
	if ((v & KBC_CMD_PULSE) == KBC_CMD_PULSE && !(v & KBC_OUT_RESET))
		reboot(d, "reset by the keyboard controller");
}

static int sysport_access(struct vdev *d, uint64_t off, unsigned size, bool write,
			  uint64_t *val)
{
	struct sysport *s = d->priv;
	uint8_t v = (uint8_t)*val;

	if (size != 1) {
		if (!write)
			*val = ~0ull;
		return 0;
	}
	spin_lock(&s->lock);
	switch (off) {
	case OFF_DATA:
	case OFF_CMD:
		if (write)
			kbc_write(d, s, off == OFF_CMD, v);
		else if (off == OFF_CMD)
			*val = KBC_STATUS_SYS | KBC_STATUS_UNLOCK | (s->last_cmd ? KBC_STATUS_CMD : 0);
		else
			*val = 0; /* output buffer empty */
		break;
	case OFF_POST:
		if (!write)
			*val = 0;
		break;
	case OFF_PORTA:
		if (!write) {
			*val = s->porta;
		} else {
			s->porta = v & PORTA_A20;
			if (v & PORTA_RESET)
				reboot(d, "reset through port 0x92");
		}
		break;
	default: /* OFF_RESET */
		if (!write) {
			*val = s->rst;
		} else {
			s->rst = v & RST_SYS;
			if (v & RST_CPU)
				reboot(d, "reset through port 0xcf9");
		}
		break;
	}
	spin_unlock(&s->lock);
	return 0;
}

static void sysport_reset(struct vdev *d)
{
	struct sysport *s = d->priv;

	spin_lock(&s->lock);
	s->last_cmd = s->want_out = false;
	s->porta = PORTA_A20; /* A20 enabled, as firmware leaves it */
	s->rst = 0;
	spin_unlock(&s->lock);
}

static int sysport_create(struct vdev *d)
{
	static const struct {
		uint16_t port;
		uint8_t off;
	} ports[] = { { 0x60, OFF_DATA }, { 0x64, OFF_CMD }, { 0x80, OFF_POST },
		      { 0x92, OFF_PORTA }, { 0xcf9, OFF_RESET } };
	struct sysport *s = kzalloc(sizeof(*s));
	int err = 0;

	if (!s)
		return -ENOMEM;
	d->priv = s;
	s->lock = (struct spinlock)SPINLOCK_INIT;
	sysport_reset(d);
	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]) && !err; i++)
		err = bus_add(&d->vm->pio, ports[i].port, 1, d, ports[i].off);
	if (err)
		kfree(s);
	return err;
}

static void sysport_destroy(struct vdev *d)
{
	kfree(d->priv);
}

const struct vdev_ops sysport_ops = {
	.name = "sysport",
	.create = sysport_create,
	.reset = sysport_reset,
	.access = sysport_access,
	.destroy = sysport_destroy,
};
