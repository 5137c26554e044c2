// SPDX-License-Identifier: MIT
/*
 * 16550A UART at COM1 (ports 0x3f8-0x3ff, ISA IRQ 4), after the National
 * Semiconductor PC16550D data sheet ("Register Description").
 *
 *   off  DLAB=0 read / write      DLAB=1
 *   0    RBR / THR                DLL
 *   1    IER (bits 3:0)           DLM
 *   2    IIR / FCR
 *   3    LCR (bit 7 DLAB)
 *   4    MCR  0 DTR 1 RTS 2 OUT1 3 OUT2 4 LOOP
 *   5    LSR  0 DR 1 OE 5 THRE 6 TEMT
 *   6    MSR  0-3 deltas, 4 CTS 5 DSR 6 RI 7 DCD
 *   7    SCR
 *
 * Transmission is instant: a THR byte goes to the VM's console at once, so
 * THRE and TEMT always read 1 and the THRE interrupt re-arms right after a
 * THR write. Input comes from the VM's keyboard ring (vm_input_get()),
 * pulled only while the RX FIFO has room, so keyboard bytes are never
 * overrun; only loopback can overrun.
 *
 * The interrupt output is a level on IRQ 4, gated by MCR OUT2 as on a PC
 * (and inactive in loopback, where OUT2 is looped back internally).
 * Priorities (IIR): line status > RX data > THR empty > modem status.
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/spinlock.h"
#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

#define UART_BASE 0x3f8
#define UART_LEN  8
#define UART_IRQ  4
#define FIFO_LEN  16

#define REG_DATA 0
#define REG_IER  1
#define REG_IIR  2 /* read; FCR on write */
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define REG_MSR  6
#define REG_SCR  7

#define IER_ERBFI 0x01 /* RX data available */
#define IER_ETBEI 0x02 /* THR empty */
#define IER_ELSI  0x04 /* line status */
#define IER_EDSSI 0x08 /* modem status */
#define IER_MASK  0x0f

#define IIR_NONE   0x01
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_FIFOS  0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER  0xc0

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS  0x01
#define MSR_DDSR  0x02
#define MSR_TERI  0x04
#define MSR_DDCD  0x08
#define MSR_DELTA 0x0f
#define MSR_CTS   0x10
#define MSR_DSR   0x20
#define MSR_RI    0x40
#define MSR_DCD   0x80
/* Outside loopback a terminal is attached: CTS, DSR, DCD asserted. */
#define MSR_ATTACHED (MSR_CTS | MSR_DSR | MSR_DCD)

struct uart {
	struct spinlock lock;
	uint8_t ier, fcr, lcr, mcr, lsr_oe, msr_delta, scr, dll, dlm;
	bool thri; /* THR-empty interrupt pending */
	bool irq;  /* the level last driven on IRQ 4 */
	uint8_t rx[FIFO_LEN];
	unsigned rx_head, rx_count;
};

static unsigned rx_capacity(const struct uart *u)
{
	return u->fcr & FCR_ENABLE ? FIFO_LEN : 1;
}

/* The modem inputs: from MCR in loopback, the attached terminal otherwise. */
static uint8_t msr_lines(uint8_t mcr)
{
	if (!(mcr & MCR_LOOP))
		return MSR_ATTACHED;
	return (uint8_t)((mcr & MCR_RTS ? MSR_CTS : 0) | (mcr & MCR_DTR ? MSR_DSR : 0) |
			 (mcr & MCR_OUT1 ? MSR_RI : 0) | (mcr & MCR_OUT2 ? MSR_DCD : 0));
}

/* The highest-priority pending source as IIR bits 3:0. */
static uint8_t pending(const struct uart *u)
{
	if ((u->ier & IER_ELSI) && u->lsr_oe)
		return IIR_RLSI;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_ETBEI) && u->thri)
		return IIR_THRI;
	if ((u->ier & IER_EDSSI) && u->msr_delta)
		return IIR_MSI;
	return IIR_NONE;
}

/* Drive IRQ 4 from the interrupt output, gated by OUT2. Lock held. */
static void update_irq(struct vdev *d, struct uart *u)
{
	bool level = pending(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);

	if (level != u->irq) {
		u->irq = level;
		vm_set_irq(d->vm, UART_IRQ, level);
	}
}

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_oe = LSR_OE; /* the new byte is lost */
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % FIFO_LEN] = c;
	u->rx_count++;
}

/* Move queued keyboard bytes into the FIFO while it has room. Lock held. */
static void rx_refill(struct vdev *d, struct uart *u)
{
	int c;

	if (u->mcr & MCR_LOOP)
		return;
	while (u->rx_count < rx_capacity(u) && (c = vm_input_get(d->vm)) >= 0)
		rx_push(u, (uint8_t)c);
}

static uint8_t rx_pop(struct vdev *d, struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_LEN;
	u->rx_count--;
	rx_refill(d, u);
	return c;
}

static void rx_clear(struct uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void write_thr(struct vdev *d, struct uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP)
		rx_push(u, c);
	else
		vm_console_putc(d->vm, (char)c);
	/* Writing THR clears the THRE interrupt; the instant transmission sets it again. */
	u->thri = true;
}

static void write_fcr(struct vdev *d, struct uart *u, uint8_t v)
{
	if ((v ^ u->fcr) & FCR_ENABLE)
		rx_clear(u); /* changing the FIFO mode clears both FIFOs */
	if (v & FCR_CLEAR_RX)
		rx_clear(u);
	u->fcr = v & (FCR_ENABLE | FCR_TRIGGER);
	rx_refill(d, u);
}

static void write_mcr(struct vdev *d, struct uart *u, uint8_t v)
{
	uint8_t before = msr_lines(u->mcr), after;

	u->mcr = v & MCR_MASK;
	after = msr_lines(u->mcr);
	u->msr_delta |= (uint8_t)((((before ^ after) & (MSR_CTS | MSR_DSR | MSR_DCD)) >> 4) |
				  ((before & ~after & MSR_RI) ? MSR_TERI : 0));
	rx_refill(d, u);
}

static void uart_write(struct vdev *d, struct uart *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			write_thr(d, u, v);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
		} else {
			/* Enabling ETBEI with THR empty raises the THRE interrupt. */
			if ((v & ~u->ier & IER_ETBEI))
				u->thri = true;
			u->ier = v & IER_MASK;
		}
		break;
	case REG_IIR:
		write_fcr(d, u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		write_mcr(d, u, v);
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* LSR and MSR writes: factory test only, ignored */
		break;
	}
}

static uint8_t uart_read(struct vdev *d, struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case REG_DATA:
		return dlab ? u->dll : rx_pop(d, u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		v = pending(u);
		if (v == IIR_THRI)
			u->thri = false; /* reading IIR clears THRE when it is the source */
		return (uint8_t)(v | (u->fcr & FCR_ENABLE ? IIR_FIFOS : 0));
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = (uint8_t)((u->rx_count ? LSR_DR : 0) | u->lsr_oe | LSR_THRE | LSR_TEMT);
		u->lsr_oe = 0;
		return v;
	case REG_MSR:
		v = (uint8_t)(msr_lines(u->mcr) | u->msr_delta);
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

static int uart_access(struct vdev *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct uart *u = d->priv;

	if (off >= UART_LEN || size != 1) {
		/* Not a 16550 access: wider accesses read ones and are dropped. */
		if (!write)
			*val = ~0ull;
		return 0;
	}
	spin_lock(&u->lock);
	if (write)
		uart_write(d, u, (unsigned)off, (uint8_t)*val);
	else
		*val = uart_read(d, u, (unsigned)off);
	update_irq(d, u);
	spin_unlock(&u->lock);
	return 0;
}

void uart_input_ready(struct vdev *uart)
{
	struct uart *u = uart->priv;

	spin_lock(&u->lock);
	rx_refill(uart, u);
	update_irq(uart, u);
	spin_unlock(&u->lock);
}

static void uart_reset(struct vdev *d)
{
	struct uart *u = d->priv;

	spin_lock(&u->lock);
	u->ier = u->fcr = u->lcr = u->mcr = u->lsr_oe = u->msr_delta = u->scr = 0;
	u->dll = 12; /* 9600 baud */
	u->dlm = 0;
	u->thri = false;
	rx_clear(u);
	update_irq(d, u);
	spin_unlock(&u->lock);
}

static int uart_create(struct vdev *d)
{
	struct uart *u = kzalloc(sizeof(*u));
	int err;

	if (!u)
		return -ENOMEM;
	d->priv = u;
	u->lock = (struct spinlock)SPINLOCK_INIT;
	u->dll = 12;
	err = bus_add(&d->vm->pio, UART_BASE, UART_LEN, d, 0);
	if (err) {
		kfree(u);
		return err;
	}
	d->vm->serial = d;
	return 0;
}

static void uart_destroy(struct vdev *d)
{
	if (d->vm->serial == d)
		d->vm->serial = NULL;
	kfree(d->priv);
}

const struct vdev_ops uart_ops = {
	.name = "uart",
	.create = uart_create,
	.reset = uart_reset,
	.access = uart_access,
	.destroy = uart_destroy,
};
