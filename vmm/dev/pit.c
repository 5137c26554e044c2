// SPDX-License-Identifier: MIT
/*
 * 8254 programmable interval timer (Intel 8254 data sheet, "Operation"),
 * ports 0x40-0x43, and the PC's port 0x61 (NMI status and control):
 *
 *   port 0x61  bit 0 channel 2 gate (rw)   bit 1 speaker data (rw)
 *              bits 3:2 kept (rw)          bit 4 refresh toggle (flips each read)
 *              bit 5 channel 2 output (r)
 *
 *   control word (0x43): bits 7:6 channel (3: read-back), 5:4 access
 *   (0 latch, 1 low, 2 high, 3 low then high), 3:1 mode, 0 BCD.
 *
 * The counters are not stepped: a running counter remembers the TSC at
 * which it started, and its count and output are computed from the TSC at
 * 1193182 Hz whenever they are looked at. Channel 0 drives GSI 0 through a
 * vtimer on vCPU 0 whose deadlines are computed from that start TSC, so
 * periodic interrupts do not drift. A late timer delivers one interrupt
 * and skips the periods it missed. BCD counting is not supported: the BCD
 * bit is ignored (counting stays binary).
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/spinlock.h"
#include "arch/x86_64/tsc.h"
#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

#define PIT_BASE     0x40
#define PIT_LEN      4
#define PORT61       0x61
#define OFF_PORT61   PIT_LEN /* device offset of port 0x61 */
#define PIT_HZ       1193182ull
#define PIT_IRQ      0
#define PIT_CHANNELS 3
#define REG_CONTROL  3

#define CW_CHANNEL(v) (((v) >> 6) & 3)
#define CW_ACCESS(v)  (((v) >> 4) & 3)
#define CW_MODE(v)    (((v) >> 1) & 7)
#define CW_BCD        0x01
#define CW_READBACK   3
#define RB_NO_COUNT   0x20 /* read-back: bit clear = latch the count */
#define RB_NO_STATUS  0x10 /* read-back: bit clear = latch the status */

#define ACCESS_LATCH 0
#define ACCESS_LO    1
#define ACCESS_HI    2
#define ACCESS_LOHI  3

#define ST_OUTPUT    0x80
#define ST_NULLCOUNT 0x40

#define P61_GATE2   0x01
#define P61_SPEAKER 0x02
#define P61_RW      0x0f
#define P61_REFRESH 0x10
#define P61_OUT2    0x20

/* At most one channel 0 interrupt per this many microseconds (host protection). */
#define MIN_IRQ_US 20

struct pit_channel {
	uint8_t mode, access;
	uint32_t reload;      /* 1..65536 */
	bool loaded;          /* a count was written since the control word */
	bool running;         /* counting: started at start_tsc with base ticks behind it */
	bool gate;
	uint64_t start_tsc, base;
	bool write_hi;        /* lo/hi access: next write is the high byte */
	uint8_t write_lo;
	bool read_hi;         /* lo/hi access: next live read is the high byte */
	bool latched;         /* counter latch */
	uint16_t latch;
	bool latch_hi;
	bool status_latched;
	uint8_t status;
};

struct pit {
	struct spinlock lock;
	struct pit_channel ch[PIT_CHANNELS];
	uint8_t port61;
	bool refresh;
	uint64_t tsc_hz;
	uint64_t last_irq_tsc;
	struct vtimer timer; /* channel 0 terminal count */
};

/* TSC ticks -> PIT ticks, without overflowing 64 bits. */
static uint64_t tsc_to_pit(const struct pit *p, uint64_t tsc)
{
	return tsc / p->tsc_hz * PIT_HZ + tsc % p->tsc_hz * PIT_HZ / p->tsc_hz;
}

/* PIT ticks -> TSC ticks (rounded up: the deadline is never early). */
static uint64_t pit_to_tsc(const struct pit *p, uint64_t ticks)
{
	return ticks / PIT_HZ * p->tsc_hz + (ticks % PIT_HZ * p->tsc_hz + PIT_HZ - 1) / PIT_HZ;
}

/* PIT clocks counted since the count was loaded (or the gate re-opened). */
static uint64_t elapsed(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	if (!c->running || (int64_t)(now - c->start_tsc) < 0) /* another CPU's TSC, just behind */
		return c->base;
	return c->base + tsc_to_pit(p, now - c->start_tsc);
}

static bool one_shot(uint8_t mode)
{
	return mode == 0 || mode == 1 || mode == 4 || mode == 5;
}

/* The counting element's value now. */
static uint16_t count_now(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	uint64_t e = elapsed(p, c, now), n = c->reload;

	if (!c->loaded)
		return 0;
	if (one_shot(c->mode))
		return (uint16_t)(n - e); /* wraps through 0xffff after terminal count */
	if (c->mode == 3) {           /* decrements by two, twice per period */
		uint64_t half = (n + 1) / 2, pos = e % n;

		return (uint16_t)(pos < half ? n - 2 * pos : n - 2 * (pos - half));
	}
	return (uint16_t)(n - e % n); /* mode 2 */
}

static bool output_now(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	uint64_t e, n = c->reload;

	if (!c->loaded)
		return c->mode != 0;
	e = elapsed(p, c, now);
	switch (c->mode) {
	case 0:
		return e >= n;
	case 1:
		return !c->running && !c->base ? true : e >= n;
	case 4:
	case 5:
		return e != n;
	case 3:
		return e % n < (n + 1) / 2;
	default: /* 2 */
		return e % n != n - 1;
	}
}

/*
 * Start counting from the reload value now, if the gate allows. Modes 1
 * and 5 wait for a gate rising edge instead (port 0x61, channel 2 only).
 */
static void restart(struct pit_channel *c, uint64_t now)
{
	c->base = 0;
	c->start_tsc = now;
	c->running = c->loaded && c->gate && c->mode != 1 && c->mode != 5;
}

/* Arm channel 0's timer for its next terminal count after now. Lock held. */
static void arm_ch0(struct pit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t e, n = c->reload, target, deadline, min;

	if (!c->running) {
		vtimer_cancel(&p->timer);
		return;
	}
	e = elapsed(p, c, now);
	if (one_shot(c->mode)) {
		if (e >= n) { /* already past its terminal count */
			vtimer_cancel(&p->timer);
			return;
		}
		target = n;
	} else {
		target = (e / n + 1) * n; /* the next period end: missed ones are skipped */
	}
	deadline = c->start_tsc + pit_to_tsc(p, target - c->base);
	min = p->last_irq_tsc + p->tsc_hz / 1000000 * MIN_IRQ_US;
	if (p->last_irq_tsc && (int64_t)(deadline - min) < 0)
		deadline = min;
	vtimer_arm(&p->timer, deadline);
}

static void pit_fire(struct vtimer *t, uint64_t now)
{
	struct vdev *d = t->data;
	struct pit *p = d->priv;
	struct pit_channel *c = &p->ch[0];

	spin_lock(&p->lock);
	/* A one-shot count may have been reprogrammed since this deadline was set. */
	if (c->running && (!one_shot(c->mode) || elapsed(p, c, now) >= c->reload)) {
		p->last_irq_tsc = now;
		vm_pulse_irq(d->vm, PIT_IRQ);
	}
	arm_ch0(p, now);
	spin_unlock(&p->lock);
}

static void load_count(struct pit *p, unsigned i, uint16_t v, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	c->reload = v ? v : 0x10000;
	c->loaded = true;
	c->latched = c->status_latched = false;
	restart(c, now);
	if (i == 0)
		arm_ch0(p, now);
}

static void write_counter(struct pit *p, unsigned i, uint8_t v, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	switch (c->access) {
	case ACCESS_LO:
		load_count(p, i, v, now);
		break;
	case ACCESS_HI:
		load_count(p, i, (uint16_t)(v << 8), now);
		break;
	default:
		if (!c->write_hi) {
			c->write_lo = v;
			c->write_hi = true;
			if (c->mode == 0) { /* mode 0: the first byte stops the count */
				c->base = elapsed(p, c, now);
				c->running = false;
				if (i == 0)
					vtimer_cancel(&p->timer);
			}
		} else {
			c->write_hi = false;
			load_count(p, i, (uint16_t)(c->write_lo | v << 8), now);
		}
		break;
	}
}

static uint8_t status_byte(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	return (uint8_t)((output_now(p, c, now) ? ST_OUTPUT : 0) | (c->loaded ? 0 : ST_NULLCOUNT) |
			 c->access << 4 | c->mode << 1);
}

static void latch_count(struct pit *p, struct pit_channel *c, uint64_t now)
{
	if (c->latched)
		return; /* the first latch holds until read */
	c->latch = count_now(p, c, now);
	c->latched = true;
	c->latch_hi = false;
}

static void read_back(struct pit *p, uint8_t v, uint64_t now)
{
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		struct pit_channel *c = &p->ch[i];

		if (!(v & (2u << i)))
			continue;
		if (!(v & RB_NO_COUNT))
			latch_count(p, c, now);
		if (!(v & RB_NO_STATUS) && !c->status_latched) {
			c->status = status_byte(p, c, now);
			c->status_latched = true;
		}
	}
}

static void write_control(struct vdev *d, struct pit *p, uint8_t v, uint64_t now)
{
	unsigned i = CW_CHANNEL(v);
	struct pit_channel *c;

	if (i == CW_READBACK) {
		read_back(p, v, now);
		return;
	}
	c = &p->ch[i];
	if (CW_ACCESS(v) == ACCESS_LATCH) {
		latch_count(p, c, now);
		return;
	}
	if (v & CW_BCD)
		vm_warn(d->vm, "pit: BCD counting not supported, counting in binary\n");
	c->access = (uint8_t)CW_ACCESS(v);
	c->mode = (uint8_t)CW_MODE(v);
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 are 2 and 3 */
	c->loaded = c->running = false;
	c->base = 0;
	c->write_hi = c->read_hi = false;
	c->latched = c->status_latched = false;
	if (i == 0)
		vtimer_cancel(&p->timer);
}

static uint8_t read_counter(struct pit *p, struct pit_channel *c, uint64_t now)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = c->latch;
		if (c->access == ACCESS_LOHI && !c->latch_hi) {
			c->latch_hi = true;
			return (uint8_t)v;
		}
		c->latched = false;
		return (uint8_t)(c->access == ACCESS_LO ? v : v >> 8);
	}
	v = count_now(p, c, now);
	if (c->access == ACCESS_LO)
		return (uint8_t)v;
	if (c->access == ACCESS_HI)
		return (uint8_t)(v >> 8);
	c->read_hi = !c->read_hi;
	return (uint8_t)(c->read_hi ? v : v >> 8);
}

/* Channel 2's gate changed (port 0x61 bit 0). */
static void set_gate2(struct pit *p, bool gate, uint64_t now)
{
	struct pit_channel *c = &p->ch[2];

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (!gate) {
		if (c->mode == 1 || c->mode == 5)
			return; /* gate low does not stop a triggered count */
		c->base = c->mode == 0 || c->mode == 4 ? elapsed(p, c, now) : 0;
		c->running = false; /* modes 2 and 3: output high, reload on the rising edge */
		return;
	}
	if (c->mode == 0 || c->mode == 4) { /* resume where it paused */
		c->start_tsc = now;
		c->running = true;
	} else { /* 1, 2, 3, 5: a rising edge (re)triggers */
		c->base = 0;
		c->start_tsc = now;
		c->running = true;
	}
}

static int pit_access(struct vdev *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct pit *p = d->priv;
	uint64_t now;
	uint8_t v = (uint8_t)*val;

	if (size != 1 || off > OFF_PORT61) {
		if (!write)
			*val = ~0ull;
		return 0;
	}
	spin_lock(&p->lock);
	now = tsc_read();
	if (off == OFF_PORT61) {
		if (write) {
			p->port61 = v & P61_RW;
			set_gate2(p, v & P61_GATE2, now);
		} else {
			p->refresh = !p->refresh;
			*val = (uint64_t)(p->port61 | (p->refresh ? P61_REFRESH : 0) |
					  (output_now(p, &p->ch[2], now) ? P61_OUT2 : 0));
		}
	} else if (off == REG_CONTROL) {
		if (write)
			write_control(d, p, v, now);
		else
			*val = 0xff; /* the control register is write-only */
	} else if (write) {
		write_counter(p, (unsigned)off, v, now);
	} else {
		*val = read_counter(p, &p->ch[off], now);
	}
	spin_unlock(&p->lock);
	return 0;
}

static void pit_reset(struct vdev *d)
{
	struct pit *p = d->priv;

	spin_lock(&p->lock);
	vtimer_cancel(&p->timer);
	for (unsigned i = 0; i < PIT_CHANNELS; i++)
		p->ch[i] = (struct pit_channel){ .mode = 3, .access = ACCESS_LOHI, .reload = 0x10000,
						 .gate = i != 2 };
	p->port61 = 0;
	p->last_irq_tsc = 0;
	spin_unlock(&p->lock);
}

static int pit_create(struct vdev *d)
{
	struct vm *vm = d->vm;
	struct pit *p;
	int err;

	if (!tsc_khz() || !vm->nr_vcpus)
		return -ENODEV;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	d->priv = p;
	p->lock = (struct spinlock)SPINLOCK_INIT;
	p->tsc_hz = tsc_khz() * 1000;
	pit_reset(d);
	err = bus_add(&vm->pio, PIT_BASE, PIT_LEN, d, 0);
	if (!err)
		err = bus_add(&vm->pio, PORT61, 1, d, OFF_PORT61);
	if (!err)
		err = vtimer_attach(&p->timer, vm->vcpus[0], pit_fire, d);
	if (err) {
		vtimer_detach(&p->timer);
		kfree(p);
	}
	return err;
}

static void pit_destroy(struct vdev *d)
{
	struct pit *p = d->priv;

	vtimer_detach(&p->timer);
	kfree(p);
}

const struct vdev_ops pit_ops = {
	.name = "pit",
	.create = pit_create,
	.reset = pit_reset,
	.access = pit_access,
	.destroy = pit_destroy,
};
