// SPDX-License-Identifier: MIT
/*
 * The I/O APIC (82093AA datasheet, "Register Description"; version 0x20
 * adds the EOI register of later chipsets): 24 pins, GSI n on pin n.
 *
 *   MMIO 0xfec00000 + 0x00  IOREGSEL  register index (bits 0-7)
 *                   + 0x10  IOWIN     the selected register
 *                   + 0x40  EOI       write a vector: as a local APIC EOI
 *   All three are 32-bit registers: other widths are ignored (writes) or
 *   read all-ones, with a (rate-limited) warning.
 *
 *   index 0x00  ID            bits 24-27
 *         0x01  version       bits 0-7 version, 16-23 highest pin
 *         0x02  arbitration   bits 24-27 (the ID)
 *         0x10 + 2n, +1       pin n's redirection entry, low and high half:
 *
 *   63      56 55     17  16   15   14    13   12   11  10  8 7      0
 *   +--------+---------+----+----+-----+----+----+----+-----+--------+
 *   |  dest  |reserved |mask|trig|rIRR |pol |busy|dmod|dlvm | vector |
 *   +--------+---------+----+----+-----+----+----+----+-----+--------+
 *
 * Delivery is immediate, so the delivery status bit always reads 0.
 * Polarity: devices drive logical levels (asserted = true) through
 * vm_set_irq(), so the polarity bit is stored for the guest but does not
 * invert the line.
 *
 * Level-triggered fixed and lowest-priority pins send while asserted and
 * remote IRR is clear, set remote IRR, and wait for an EOI of their
 * vector. NMI, INIT and ExtINT are never EOI'd by a local APIC: those
 * pins send on a rising edge whatever their trigger bit says, and leave
 * remote IRR alone. SMI and the reserved modes are not delivered.
 *
 * Messages are computed under the lock and sent after it is dropped: a
 * local APIC receiving one may come back here (EOI) on another path.
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "vmm/dev/devices.h"
#include "vmm/fwtables.h"
#include "vmm/irq.h"
#include "vmm/manifest.h"
#include "vmm/vm.h"

#define IOAPIC_PINS    24
#define IOAPIC_VERSION 0x20

#define OFF_REGSEL 0x00
#define OFF_WIN    0x10
#define OFF_EOI    0x40

#define REG_ID      0x00
#define REG_VERSION 0x01
#define REG_ARB     0x02
#define REG_REDIR   0x10
#define REG_REDIR_END (REG_REDIR + 2 * IOAPIC_PINS)

#define ID_SHIFT 24
#define ID_MASK  0xfu

#define RTE_VECTOR     0x00000000000000ffull
#define RTE_MODE_SHIFT 8
#define RTE_MODE       0x0000000000000700ull
#define RTE_LOGICAL    (1ull << 11)
#define RTE_BUSY       (1ull << 12)
#define RTE_POLARITY   (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL      (1ull << 15)
#define RTE_MASKED     (1ull << 16)
#define RTE_DEST_SHIFT 56
/* What a guest may write: everything but delivery status, remote IRR, reserved bits. */
#define RTE_WRITABLE (RTE_VECTOR | RTE_MODE | RTE_LOGICAL | RTE_POLARITY | RTE_LEVEL | \
		      RTE_MASKED | 0xffull << RTE_DEST_SHIFT)

struct vioapic {
	struct spinlock lock;
	uint32_t regsel;
	uint32_t id;
	uint32_t line; /* pins asserted, bit per pin */
	uint64_t rte[IOAPIC_PINS];
};

/* Messages gathered under the lock, sent after it. */
struct outbox {
	unsigned n;
	struct apic_msg msg[IOAPIC_PINS];
};

static unsigned rte_mode(uint64_t rte)
{
	return (unsigned)((rte & RTE_MODE) >> RTE_MODE_SHIFT);
}

/* Whether the pin works with remote IRR and an EOI (see the top of the file). */
static bool rte_eoi_level(uint64_t rte)
{
	unsigned mode = rte_mode(rte);

	return (rte & RTE_LEVEL) && (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST);
}

static bool rte_deliverable(uint64_t rte)
{
	switch (rte_mode(rte)) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_EXTINT:
		return true;
	default:
		return false;
	}
}

/* Send pin's interrupt if it may go now (unmasked; level: asserted, remote IRR clear). */
static void pin_fire(struct vioapic *io, unsigned pin, struct outbox *out)
{
	uint64_t *rte = &io->rte[pin];

	if ((*rte & RTE_MASKED) || !rte_deliverable(*rte) || out->n == IOAPIC_PINS)
		return;
	if (rte_eoi_level(*rte)) {
		if (!(io->line >> pin & 1) || (*rte & RTE_REMOTE_IRR))
			return;
		*rte |= RTE_REMOTE_IRR;
	}
	out->msg[out->n++] = (struct apic_msg){
		.dest = (uint32_t)(*rte >> RTE_DEST_SHIFT),
		.logical = *rte & RTE_LOGICAL,
		.mode = (uint8_t)rte_mode(*rte),
		.vector = (uint8_t)(*rte & RTE_VECTOR),
		.level = *rte & RTE_LEVEL,
	};
}

static void outbox_send(struct vm *vm, const struct outbox *out)
{
	for (unsigned i = 0; i < out->n; i++)
		vm_apic_send(vm, &out->msg[i]);
}

/* An EOI for vector: level pins waiting on it may send again. */
static void ioapic_eoi_locked(struct vioapic *io, uint8_t vector, struct outbox *out)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *rte = &io->rte[pin];

		if (!(*rte & RTE_REMOTE_IRR) || (uint8_t)(*rte & RTE_VECTOR) != vector)
			continue;
		*rte &= ~RTE_REMOTE_IRR;
		pin_fire(io, pin, out);
	}
}

static uint32_t ioapic_read_reg(const struct vioapic *io)
{
	uint32_t idx = io->regsel;

	switch (idx) {
	case REG_ID:
	case REG_ARB:
		return io->id << ID_SHIFT;
	case REG_VERSION:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	default:
		if (idx >= REG_REDIR && idx < REG_REDIR_END) {
			uint64_t rte = io->rte[(idx - REG_REDIR) / 2];

			return (uint32_t)(idx & 1 ? rte >> 32 : rte);
		}
		return 0; /* no such register */
	}
}

static void ioapic_write_reg(struct vioapic *io, uint32_t val, struct outbox *out)
{
	uint32_t idx = io->regsel;
	unsigned pin;
	uint64_t *rte, v;

	if (idx == REG_ID) {
		io->id = val >> ID_SHIFT & ID_MASK;
		return;
	}
	if (idx < REG_REDIR || idx >= REG_REDIR_END)
		return; /* read-only or no such register */
	pin = (idx - REG_REDIR) / 2;
	rte = &io->rte[pin];
	v = idx & 1 ? (uint64_t)val << 32 | (*rte & 0xffffffffull)
		    : (*rte & 0xffffffff00000000ull) | val;
	*rte = (*rte & RTE_REMOTE_IRR) | (v & RTE_WRITABLE);
	if (!(*rte & RTE_LEVEL))
		*rte &= ~RTE_REMOTE_IRR; /* edge pins have none */
	/* Unmasked (or made level) while the line is up: a level pin sends now. */
	if (rte_eoi_level(*rte))
		pin_fire(io, pin, out);
}

/* id: the one the firmware tables announce (fwtables.h). */
static void ioapic_power_on(struct vioapic *io, uint8_t id)
{
	io->regsel = 0;
	io->id = id;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = RTE_MASKED;
}

/* --- irq.h interface ----------------------------------------------------- */

void ioapic_set_irq(struct vdev *ioapic, unsigned pin, bool level)
{
	struct vioapic *io;
	struct outbox out = { 0 };
	uint64_t flags;
	bool rising;

	if (!ioapic || !ioapic->priv || pin >= IOAPIC_PINS)
		return;
	io = ioapic->priv;
	flags = spin_lock_irqsave(&io->lock);
	rising = level && !(io->line >> pin & 1);
	io->line = level ? io->line | 1u << pin : io->line & ~(1u << pin);
	if (rising || (level && rte_eoi_level(io->rte[pin])))
		pin_fire(io, pin, &out);
	spin_unlock_irqrestore(&io->lock, flags);
	outbox_send(ioapic->vm, &out);
}

void ioapic_eoi(struct vdev *ioapic, uint8_t vector)
{
	struct vioapic *io;
	struct outbox out = { 0 };
	uint64_t flags;

	if (!ioapic || !ioapic->priv)
		return;
	io = ioapic->priv;
	flags = spin_lock_irqsave(&io->lock);
	ioapic_eoi_locked(io, vector, &out);
	spin_unlock_irqrestore(&io->lock, flags);
	outbox_send(ioapic->vm, &out);
}

/* --- the device ------------------------------------------------------------ */

static int ioapic_create(struct vdev *d)
{
	struct vm *vm = d->vm;
	struct vioapic *io;
	int err;

	if (vm->ioapic)
		return -EEXIST;
	io = kzalloc(sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->lock = (struct spinlock)SPINLOCK_INIT;
	ioapic_power_on(io, FW_IOAPIC_ID(vm->nr_vcpus));
	err = bus_add(&vm->mmio, MANIFEST_IOAPIC_BASE, MANIFEST_APIC_SIZE, d, 0);
	if (err) {
		kfree(io);
		return err;
	}
	d->priv = io;
	vm->ioapic = d;
	return 0;
}

static void ioapic_reset(struct vdev *d)
{
	struct vioapic *io = d->priv;
	uint64_t flags = spin_lock_irqsave(&io->lock);

	ioapic_power_on(io, FW_IOAPIC_ID(d->vm->nr_vcpus));
	spin_unlock_irqrestore(&io->lock, flags);
}

static int ioapic_access(struct vdev *d, uint64_t off, unsigned size, bool write,
			 uint64_t *val)
{
	struct vioapic *io = d->priv;
	struct outbox out = { 0 };
	uint64_t flags;

	if (!io)
		return -EINVAL;
	if (off != OFF_REGSEL && off != OFF_WIN && off != OFF_EOI) {
		if (!write) /* nothing there */
			*val = size >= 8 ? ~0ull : (1ull << 8 * size) - 1;
		return 0;
	}
	if (size != 4) {
		vm_warn(d->vm, "ioapic: %u-byte %s at offset 0x%llx ignored\n", size,
			write ? "write" : "read", (unsigned long long)off);
		if (!write)
			*val = size >= 8 ? ~0ull : (1ull << 8 * size) - 1;
		return 0;
	}
	flags = spin_lock_irqsave(&io->lock);
	if (!write)
		*val = off == OFF_REGSEL ? io->regsel : off == OFF_WIN ? ioapic_read_reg(io) : 0;
	else if (off == OFF_REGSEL)
		io->regsel = (uint32_t)*val & 0xff;
	else if (off == OFF_WIN)
		ioapic_write_reg(io, (uint32_t)*val, &out);
	else
		ioapic_eoi_locked(io, (uint8_t)*val, &out);
	spin_unlock_irqrestore(&io->lock, flags);
	outbox_send(d->vm, &out);
	return 0;
}

static void ioapic_destroy(struct vdev *d)
{
	if (d->vm->ioapic == d)
		d->vm->ioapic = NULL;
	kfree(d->priv);
	d->priv = NULL;
}

const struct vdev_ops ioapic_ops = {
	.name = "ioapic",
	.create = ioapic_create,
	.reset = ioapic_reset,
	.access = ioapic_access,
	.destroy = ioapic_destroy,
};
