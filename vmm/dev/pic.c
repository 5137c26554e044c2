// SPDX-License-Identifier: MIT
/*
 * The 8259A programmable interrupt controller pair of a PC: the master at
 * ports 0x20/0x21, the slave at 0xa0/0xa1 cascaded on the master's IR2,
 * and the edge/level control registers (ELCR) at 0x4d0/0x4d1. Facts from
 * the Intel 8259A datasheet ("Programming the 8259A", "Interrupt
 * Sequence", "The Special Fully Nested Mode") and the PIIX ELCR.
 *
 *   port  A0=0 write: ICW1 (bit 4 set), OCW3 (bit 3 set), else OCW2
 *         A0=0 read:  IRR or ISR (OCW3 RR/RIS), or the poll word
 *   port  A0=1 write: ICW2..ICW4 during initialisation, else OCW1 (IMR)
 *         A0=1 read:  IMR
 *
 * Power-on state (a real 8259's is undefined): what a PC BIOS leaves,
 * initialised in cascade mode, 8086 mode, vector bases 0x08 and 0x70,
 * every input masked, all edge-triggered. A guest that does not program
 * the controllers therefore never sees an interrupt from them.
 *
 * ISA IRQ 2 is the cascade input and not a device line: pic_set_irq()
 * ignores it (the IOAPIC still sees GSI 2). Special fully nested mode is
 * honoured for the cascade input; MCS-80/85 mode (ICW4 uPM = 0) is not
 * emulated: vectors are always formed as in 8086 mode.
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

#define PIC_MASTER_PORT 0x20
#define PIC_SLAVE_PORT  0xa0
#define PIC_ELCR_PORT   0x4d0

/* Device offsets: master command/data, slave command/data, ELCR1/ELCR2. */
#define OFF_MASTER 0u
#define OFF_SLAVE  2u
#define OFF_ELCR   4u
#define OFF_END    6u

#define CASCADE_IR 2 /* the master input the slave drives */
#define SPURIOUS_IR 7

#define ICW1_IC4  0x01 /* ICW4 follows */
#define ICW1_SNGL 0x02 /* single: no ICW3 */
#define ICW1_LTIM 0x08 /* every input level-triggered */
#define ICW1_INIT 0x10 /* A0=0 write with this bit: ICW1 */
#define ICW4_UPM  0x01 /* 8086 mode */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3_SEL  0x08 /* A0=0 write with this bit (and not ICW1_INIT): OCW3 */
#define OCW3_RIS  0x01
#define OCW3_RR   0x02
#define OCW3_P    0x04
#define OCW3_SMM  0x20
#define OCW3_ESMM 0x40

/* OCW2 bits 7-5 (R, SL, EOI). */
enum {
	OCW2_ROTATE_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROTATE_AEOI_SET = 4,
	OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* ELCR bits that may be set: IRQ 0, 1, 2, 8 and 13 are always edge (PIIX). */
#define ELCR_MASK_MASTER 0xf8
#define ELCR_MASK_SLAVE  0xde

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t line;       /* input levels as last driven */
	uint8_t elcr, elcr_mask;
	uint8_t base;       /* vector base (ICW2, low 3 bits clear) */
	uint8_t icw3;
	uint8_t lowest;     /* the input with the lowest priority (rotation) */
	uint8_t init_step;  /* next ICW expected: 2, 3, 4; 0 when initialised */
	bool single, need_icw4, ltim, auto_eoi, rotate_aeoi, sfnm;
	bool special_mask, read_isr, poll;
};

struct vpic {
	struct spinlock lock;
	struct pic_chip chip[2]; /* master, slave */
};

/* --- one chip ------------------------------------------------------------- */

static bool chip_level(const struct pic_chip *c, unsigned ir)
{
	return c->ltim || (c->elcr >> ir & 1);
}

/* The input of highest priority among bits, -1 none (IR lowest+1 ranks first). */
static int chip_highest(const struct pic_chip *c, uint8_t bits)
{
	for (unsigned p = 0; p < 8; p++) {
		unsigned ir = (c->lowest + 1 + p) & 7;

		if (bits >> ir & 1)
			return (int)ir;
	}
	return -1;
}

static unsigned chip_prio(const struct pic_chip *c, unsigned ir)
{
	return (ir - c->lowest - 1) & 7; /* 0 highest */
}

/*
 * The input an INTA cycle would take now, -1 none: the highest-priority
 * unmasked request above every in-service level. In special mask mode,
 * masked in-service levels do not block; in special fully nested mode
 * (master), the cascade input's own in-service bit does not block it.
 */
static int chip_output(const struct pic_chip *c, bool master)
{
	int ir = chip_highest(c, c->irr & ~c->imr);
	uint8_t isr = c->isr;
	int in;

	if (ir < 0)
		return -1;
	if (c->special_mask)
		isr &= ~c->imr;
	if (master && c->sfnm && ir == CASCADE_IR)
		isr &= ~(1u << CASCADE_IR);
	in = chip_highest(c, isr);
	if (in >= 0 && chip_prio(c, (unsigned)in) <= chip_prio(c, (unsigned)ir))
		return -1;
	return ir;
}

static void chip_set_line(struct pic_chip *c, unsigned ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (chip_level(c, ir))
		c->irr = level ? c->irr | bit : c->irr & ~bit;
	else if (level && !(c->line & bit))
		c->irr |= bit; /* edge: latched until acknowledged */
	c->line = level ? c->line | bit : c->line & ~bit;
}

/* The acknowledge part of INTA or a poll read, for input ir. */
static void chip_ack(struct pic_chip *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (!chip_level(c, ir))
		c->irr &= ~bit; /* a level input's request follows its line */
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest = (uint8_t)ir;
}

/* ICW1: start initialisation (datasheet: IMR cleared, IR7 lowest, SMM off, IRR read). */
static void chip_icw1(struct pic_chip *c, uint8_t val)
{
	c->single = val & ICW1_SNGL;
	c->need_icw4 = val & ICW1_IC4;
	c->ltim = val & ICW1_LTIM;
	c->isr = 0;
	c->imr = 0;
	c->lowest = 7;
	c->auto_eoi = c->rotate_aeoi = c->sfnm = false;
	c->special_mask = c->read_isr = c->poll = false;
	/* Edge detection restarts: an input must rise again; levels stay. */
	c->irr = 0;
	for (unsigned ir = 0; ir < 8; ir++)
		if (chip_level(c, ir) && (c->line >> ir & 1))
			c->irr |= (uint8_t)(1u << ir);
	c->init_step = 2;
}

static void chip_ocw2(struct pic_chip *c, uint8_t val)
{
	unsigned ir = val & 7;
	int top = chip_highest(c, c->isr);

	switch (val >> 5) {
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		if (top < 0)
			break;
		c->isr &= (uint8_t)~(1u << top);
		if (val >> 5 == OCW2_ROTATE_EOI)
			c->lowest = (uint8_t)top;
		break;
	case OCW2_SPECIFIC_EOI:
		c->isr &= (uint8_t)~(1u << ir);
		break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (uint8_t)~(1u << ir);
		c->lowest = (uint8_t)ir;
		break;
	case OCW2_SET_PRIORITY:
		c->lowest = (uint8_t)ir;
		break;
	default: /* OCW2_NOP */
		break;
	}
}

static void chip_ocw3(struct pic_chip *c, uint8_t val)
{
	if (val & OCW3_P)
		c->poll = true;
	if (val & OCW3_RR)
		c->read_isr = val & OCW3_RIS;
	if (val & OCW3_ESMM)
		c->special_mask = val & OCW3_SMM;
}

/* A write to A0=1: the next ICW, or the mask. Returns true for ICW4 without uPM. */
static bool chip_write_data(struct pic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 2:
		c->base = val & 0xf8;
		c->init_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
		return c->single && !c->need_icw4;
	case 3:
		c->icw3 = val;
		c->init_step = c->need_icw4 ? 4 : 0;
		return !c->need_icw4;
	case 4:
		c->auto_eoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->init_step = 0;
		return !(val & ICW4_UPM);
	default:
		c->imr = val;
		return false;
	}
}

static void chip_power_on(struct pic_chip *c, uint8_t base, uint8_t icw3, uint8_t elcr_mask)
{
	uint8_t line = c->line;

	*c = (struct pic_chip){
		.imr = 0xff, .line = line, .elcr_mask = elcr_mask, .base = base, .icw3 = icw3,
		.lowest = 7, .need_icw4 = true,
	};
}

/* --- the pair ------------------------------------------------------------- */

static bool pair_cascaded(const struct vpic *p)
{
	const struct pic_chip *m = &p->chip[0];

	return !m->single && (m->icw3 >> CASCADE_IR & 1);
}

/* The slave's INTR output drives the master's IR2. */
static void pair_update(struct vpic *p)
{
	chip_set_line(&p->chip[0], CASCADE_IR, chip_output(&p->chip[1], false) >= 0);
}

/* What the pair would deliver next (master and slave outputs), for change detection. */
static int pair_state(const struct vpic *p)
{
	return (chip_output(&p->chip[0], true) + 1) << 4 | (chip_output(&p->chip[1], false) + 1);
}

/*
 * Whether vCPU 0 must look again: INTR is up and what it would deliver
 * changed (it rose, or a higher request arrived).
 */
static bool pair_notify(const struct vpic *p, int before)
{
	return chip_output(&p->chip[0], true) >= 0 && pair_state(p) != before;
}

/* A poll read of chip i: like INTA for that chip alone (datasheet, "Poll Command"). */
static uint8_t pair_poll(struct vpic *p, unsigned i)
{
	struct pic_chip *c = &p->chip[i];
	int ir = chip_output(c, i == 0);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, (unsigned)ir);
	if (i == 1) { /* the slave's INTR drops during the cycle */
		p->chip[0].line &= (uint8_t)~(1u << CASCADE_IR);
		pair_update(p);
	}
	return (uint8_t)(0x80 | ir);
}

static const char *pair_write(struct vpic *p, unsigned off, uint8_t val)
{
	struct pic_chip *c;

	if (off >= OFF_ELCR) {
		c = &p->chip[off - OFF_ELCR];
		c->elcr = val & c->elcr_mask;
		for (unsigned ir = 0; ir < 8; ir++) /* now level: the request is the line */
			if (chip_level(c, ir))
				chip_set_line(c, ir, c->line >> ir & 1);
		return NULL;
	}
	c = &p->chip[off / 2];
	if (off & 1)
		return chip_write_data(c, val) ? "8080 mode (no ICW4 or uPM=0) not emulated" : NULL;
	if (val & ICW1_INIT)
		chip_icw1(c, val);
	else if (val & OCW3_SEL)
		chip_ocw3(c, val);
	else
		chip_ocw2(c, val);
	return NULL;
}

static uint8_t pair_read(struct vpic *p, unsigned off)
{
	struct pic_chip *c;

	if (off >= OFF_ELCR)
		return p->chip[off - OFF_ELCR].elcr;
	c = &p->chip[off / 2];
	if (c->poll)
		return pair_poll(p, off / 2);
	if (off & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void pair_power_on(struct vpic *p)
{
	chip_power_on(&p->chip[0], 0x08, 1u << CASCADE_IR, ELCR_MASK_MASTER);
	chip_power_on(&p->chip[1], 0x70, CASCADE_IR, ELCR_MASK_SLAVE);
	pair_update(p);
}

/* --- irq.h interface ----------------------------------------------------- */

void pic_set_irq(struct vdev *pic, unsigned irq, bool level)
{
	struct vpic *p;
	uint64_t flags;
	bool notify;
	int before;

	if (!pic || !pic->priv || irq >= 16 || irq == CASCADE_IR)
		return;
	p = pic->priv;
	flags = spin_lock_irqsave(&p->lock);
	before = pair_state(p);
	chip_set_line(&p->chip[irq / 8], irq % 8, level);
	pair_update(p);
	notify = pair_notify(p, before);
	spin_unlock_irqrestore(&p->lock, flags);
	if (notify)
		vm_extint_changed(pic->vm);
}

bool pic_intr(struct vdev *pic)
{
	struct vpic *p;
	uint64_t flags;
	bool up;

	if (!pic || !pic->priv)
		return false;
	p = pic->priv;
	flags = spin_lock_irqsave(&p->lock);
	up = chip_output(&p->chip[0], true) >= 0;
	spin_unlock_irqrestore(&p->lock, flags);
	return up;
}

/*
 * The INTA cycle (datasheet, "Interrupt Sequence"). Nothing pending: the
 * master answers IR7 without setting ISR (spurious). The master selected
 * the cascade input but the slave has nothing: the slave answers its IR7
 * (spurious IRQ 15) and the master's IR2 stays in service.
 */
int pic_intack(struct vdev *pic)
{
	struct vpic *p;
	struct pic_chip *m, *s;
	uint64_t flags;
	bool notify;
	int ir, sir, vec, before;

	if (!pic || !pic->priv)
		return -1;
	p = pic->priv;
	m = &p->chip[0];
	s = &p->chip[1];
	flags = spin_lock_irqsave(&p->lock);
	before = pair_state(p);
	ir = chip_output(m, true);
	if (ir < 0) {
		vec = m->base + SPURIOUS_IR;
	} else {
		chip_ack(m, (unsigned)ir);
		if (ir == CASCADE_IR && pair_cascaded(p)) {
			sir = chip_output(s, false);
			if (sir < 0) {
				vec = s->base + SPURIOUS_IR;
			} else {
				chip_ack(s, (unsigned)sir);
				vec = s->base + sir;
			}
			/* The slave's INTR drops during the cycle; rises again if more wait. */
			m->line &= (uint8_t)~(1u << CASCADE_IR);
			pair_update(p);
		} else {
			vec = m->base + ir;
		}
	}
	notify = pair_notify(p, before);
	spin_unlock_irqrestore(&p->lock, flags);
	if (notify)
		vm_extint_changed(pic->vm);
	return vec;
}

/* --- the device ------------------------------------------------------------ */

static int pic_create(struct vdev *d)
{
	struct vm *vm = d->vm;
	struct vpic *p;
	int err;

	if (vm->pic)
		return -EEXIST;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->lock = (struct spinlock)SPINLOCK_INIT;
	pair_power_on(p);
	d->priv = p;
	err = bus_add(&vm->pio, PIC_MASTER_PORT, 2, d, OFF_MASTER);
	if (!err)
		err = bus_add(&vm->pio, PIC_SLAVE_PORT, 2, d, OFF_SLAVE);
	if (!err)
		err = bus_add(&vm->pio, PIC_ELCR_PORT, 2, d, OFF_ELCR);
	if (err) {
		d->priv = NULL;
		kfree(p);
		return err;
	}
	vm->pic = d;
	return 0;
}

static void pic_reset(struct vdev *d)
{
	struct vpic *p = d->priv;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	pair_power_on(p);
	spin_unlock_irqrestore(&p->lock, flags);
}

/* Ports are bytes; a wider access is that many byte accesses (the bus keeps it in range). */
static int pic_access(struct vdev *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct vpic *p = d->priv;
	const char *complaint = NULL;
	uint64_t flags, in = write ? *val : 0, out = 0;
	bool notify;
	int before;

	if (!p || size > 8)
		return -EINVAL;
	flags = spin_lock_irqsave(&p->lock);
	before = pair_state(p);
	for (unsigned i = 0; i < size; i++) {
		uint64_t o = off + i;
		uint8_t b = 0xff;

		if (o < OFF_END && write)
			complaint = pair_write(p, (unsigned)o, (uint8_t)(in >> 8 * i));
		else if (o < OFF_END)
			b = pair_read(p, (unsigned)o);
		out |= (uint64_t)b << 8 * i;
		pair_update(p);
	}
	notify = pair_notify(p, before);
	spin_unlock_irqrestore(&p->lock, flags);
	if (!write)
		*val = out;
	if (complaint)
		vm_warn(d->vm, "pic: %s\n", complaint);
	if (notify)
		vm_extint_changed(d->vm);
	return 0;
}

static void pic_destroy(struct vdev *d)
{
	if (d->vm->pic == d)
		d->vm->pic = NULL;
	kfree(d->priv);
	d->priv = NULL;
}

const struct vdev_ops pic_ops = {
	.name = "pic",
	.create = pic_create,
	.reset = pic_reset,
	.access = pic_access,
	.destroy = pic_destroy,
};
