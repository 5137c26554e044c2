// SPDX-License-Identifier: MIT
/*
 * The interrupt controllers (vmm/dev/pic.c, vmm/dev/ioapic.c) through the
 * real device bus, with port numbers, register layouts and vectors taken
 * from the 8259A and 82093AA datasheets (not from the code's constants).
 * Fakes: the heap, vm_log, and the two calls out of the controllers,
 * which are recorded.
 */
#include <pthread.h>
#include <stdlib.h>

#include "tests/unit/unit.h"

#include "vmm/bus.c"
#include "vmm/dev/ioapic.c"
#include "vmm/dev/pic.c"

/* --- fakes ---------------------------------------------------------------- */

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

static int warnings;

void vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	(void)vm, (void)level, (void)fmt;
	warnings++;
}

static int extint_calls;

void vm_extint_changed(struct vm *vm)
{
	(void)vm;
	__atomic_fetch_add(&extint_calls, 1, __ATOMIC_RELAXED);
}

#define MAX_SENT 64
static struct apic_msg sent[MAX_SENT];
static int nr_sent;

void vm_apic_send(struct vm *vm, const struct apic_msg *msg)
{
	int i = __atomic_fetch_add(&nr_sent, 1, __ATOMIC_RELAXED);

	(void)vm;
	if (i < MAX_SENT)
		sent[i] = *msg;
}

/* --- a VM with both controllers ---------------------------------------------- */

static struct vm *vm;

static void setup(void)
{
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		abort();
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->devs[0] = (struct vdev){ .ops = &pic_ops, .vm = vm };
	vm->devs[1] = (struct vdev){ .ops = &ioapic_ops, .vm = vm };
	if (pic_ops.create(&vm->devs[0]) || ioapic_ops.create(&vm->devs[1]))
		abort();
	vm->nr_devs = 2;
	warnings = extint_calls = nr_sent = 0;
}

static void teardown(void)
{
	pic_ops.destroy(&vm->devs[0]);
	ioapic_ops.destroy(&vm->devs[1]);
	free(vm);
	vm = NULL;
}

static void gout(uint16_t port, uint8_t v)
{
	uint64_t x = v;

	CHECK_EQ_I(bus_access(&vm->pio, port, 1, true, &x), 0);
}

static uint8_t gin(uint16_t port)
{
	uint64_t x = 0xdead;

	CHECK_EQ_I(bus_access(&vm->pio, port, 1, false, &x), 0);
	return (uint8_t)x;
}

/* The usual PC programming: ICW1 edge+ICW4, bases, cascade on IR2, 8086 (+AEOI). */
static void pic_init(uint8_t mbase, uint8_t sbase, bool aeoi)
{
	gout(0x20, 0x11);
	gout(0x21, mbase);
	gout(0x21, 0x04);
	gout(0x21, aeoi ? 0x03 : 0x01);
	gout(0xa0, 0x11);
	gout(0xa1, sbase);
	gout(0xa1, 0x02);
	gout(0xa1, aeoi ? 0x03 : 0x01);
	gout(0x21, 0x00);
	gout(0xa1, 0x00);
}

#define PIC   (vm->pic)
#define READ_ISR 0x0b /* OCW3: read ISR */
#define READ_IRR 0x0a
#define EOI      0x20 /* OCW2: non-specific EOI */

/* --- 8259A ------------------------------------------------------------------ */

TEST(pic_power_on_masked)
{
	setup();
	CHECK(vm->pic == &vm->devs[0]);
	CHECK_EQ_U(gin(0x21), 0xff);
	CHECK_EQ_U(gin(0xa1), 0xff);
	pic_set_irq(PIC, 1, true);
	CHECK(!pic_intr(PIC));
	CHECK_EQ_U(gin(0x20), 0x02); /* requested, but masked */
	gout(0x21, 0xfd);            /* unmask IRQ1 */
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x08 + 1); /* the BIOS bases */
	teardown();
}

TEST(pic_irq1_ack_eoi)
{
	setup();
	pic_init(0x20, 0x28, false);
	CHECK(!pic_intr(PIC));
	pic_set_irq(PIC, 1, true);
	CHECK(pic_intr(PIC));
	CHECK(extint_calls > 0);
	CHECK_EQ_I(pic_intack(PIC), 0x21);
	CHECK(!pic_intr(PIC));
	gout(0x20, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x02);
	gout(0x20, READ_IRR);
	CHECK_EQ_U(gin(0x20), 0x00); /* edge: the request was taken */
	gout(0x20, EOI);
	gout(0x20, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x00);
	/* The line is still high: no new edge, no new request. */
	CHECK(!pic_intr(PIC));
	pic_set_irq(PIC, 1, false);
	pic_set_irq(PIC, 1, true);
	CHECK(pic_intr(PIC));
	teardown();
}

TEST(pic_priority)
{
	setup();
	pic_init(0x20, 0x28, false);
	pic_set_irq(PIC, 3, true);
	pic_set_irq(PIC, 0, true);
	CHECK_EQ_I(pic_intack(PIC), 0x20); /* IRQ0 first */
	CHECK(!pic_intr(PIC));             /* IRQ3 waits behind in-service IRQ0 */
	gout(0x20, EOI);
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x23);
	/* A higher request interrupts IRQ3's handler. */
	pic_set_irq(PIC, 0, false);
	pic_set_irq(PIC, 0, true);
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x20);
	gout(0x20, EOI); /* ends IRQ0 (highest in service) */
	gout(0x20, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x08);
	gout(0x20, 0x63); /* specific EOI IRQ3 */
	CHECK_EQ_U(gin(0x20), 0x00);
	teardown();
}

TEST(pic_masked_no_intr)
{
	setup();
	pic_init(0x20, 0x28, false);
	gout(0x21, 0x10); /* mask IRQ4 */
	pic_set_irq(PIC, 4, true);
	CHECK(!pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x27); /* nothing deliverable: spurious */
	gout(0x21, 0x00);
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x24);
	teardown();
}

TEST(pic_cascade_irq10)
{
	setup();
	pic_init(0x20, 0x28, false);
	pic_set_irq(PIC, 10, true);
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x28 + 2);
	CHECK(!pic_intr(PIC));
	gout(0x20, READ_ISR);
	gout(0xa0, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x04);
	CHECK_EQ_U(gin(0xa0), 0x04);
	/* Another slave request while IRQ10 is in service waits for both EOIs. */
	pic_set_irq(PIC, 11, true);
	CHECK(!pic_intr(PIC));
	gout(0xa0, EOI);
	CHECK(!pic_intr(PIC)); /* master IR2 still in service */
	gout(0x20, EOI);
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x28 + 3);
	gout(0xa0, EOI);
	gout(0x20, EOI);
	CHECK_EQ_U(gin(0x20), 0x00);
	CHECK_EQ_U(gin(0xa0), 0x00);
	teardown();
}

TEST(pic_spurious)
{
	setup();
	pic_init(0x20, 0x28, false);
	CHECK_EQ_I(pic_intack(PIC), 0x27);
	gout(0x20, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x00); /* spurious IRQ7 sets no ISR bit */
	/* A real IRQ7 does. */
	pic_set_irq(PIC, 7, true);
	CHECK_EQ_I(pic_intack(PIC), 0x27);
	CHECK_EQ_U(gin(0x20), 0x80);
	/* Slave request gone before INTA: spurious IRQ15, master IR2 in service. */
	gout(0x20, EOI);
	gout(0x4d1, 0x08); /* IRQ11 level */
	pic_set_irq(PIC, 11, true);
	pic_set_irq(PIC, 11, false);
	CHECK(pic_intr(PIC)); /* the master latched the slave's edge */
	CHECK_EQ_I(pic_intack(PIC), 0x2f);
	gout(0x20, READ_ISR);
	gout(0xa0, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x04);
	CHECK_EQ_U(gin(0xa0), 0x00);
	teardown();
}

TEST(pic_elcr_level)
{
	setup();
	pic_init(0x20, 0x28, false);
	gout(0x4d0, 0xff); /* IRQ 0-2 cannot be level */
	CHECK_EQ_U(gin(0x4d0), 0xf8);
	gout(0x4d1, 0xff);
	CHECK_EQ_U(gin(0x4d1), 0xde);
	gout(0x4d0, 0x20); /* IRQ5 level */
	pic_set_irq(PIC, 5, true);
	CHECK_EQ_I(pic_intack(PIC), 0x25);
	gout(0x20, READ_IRR);
	CHECK_EQ_U(gin(0x20), 0x20); /* still requested while asserted */
	CHECK(!pic_intr(PIC));       /* but in service */
	gout(0x20, EOI);
	CHECK(pic_intr(PIC)); /* still asserted: again */
	CHECK_EQ_I(pic_intack(PIC), 0x25);
	pic_set_irq(PIC, 5, false);
	CHECK_EQ_U(gin(0x20), 0x00);
	gout(0x20, EOI);
	CHECK(!pic_intr(PIC));
	teardown();
}

TEST(pic_auto_eoi)
{
	setup();
	pic_init(0x20, 0x28, true);
	pic_set_irq(PIC, 3, true);
	pic_set_irq(PIC, 4, true);
	CHECK_EQ_I(pic_intack(PIC), 0x23);
	gout(0x20, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x00);
	CHECK(pic_intr(PIC)); /* nothing in service blocks IRQ4 */
	CHECK_EQ_I(pic_intack(PIC), 0x24);
	/* Through the slave: both chips auto-EOI, next slave request follows. */
	pic_set_irq(PIC, 12, true);
	pic_set_irq(PIC, 14, true);
	CHECK_EQ_I(pic_intack(PIC), 0x2c);
	CHECK(pic_intr(PIC));
	CHECK_EQ_I(pic_intack(PIC), 0x2e);
	CHECK(!pic_intr(PIC));
	teardown();
}

TEST(pic_rotate_and_poll)
{
	setup();
	pic_init(0x20, 0x28, false);
	gout(0x20, 0xc4); /* set priority: IR4 lowest, IR5 highest */
	pic_set_irq(PIC, 1, true);
	pic_set_irq(PIC, 6, true);
	CHECK_EQ_I(pic_intack(PIC), 0x26);
	gout(0x20, 0xa0); /* rotate on non-specific EOI: IR6 becomes lowest */
	CHECK_EQ_I(pic_intack(PIC), 0x21);
	gout(0x20, EOI);
	/* Poll: the request as a byte, acknowledged. */
	pic_set_irq(PIC, 3, true);
	gout(0x20, 0x0c);
	CHECK_EQ_U(gin(0x20), 0x83);
	gout(0x20, READ_ISR);
	CHECK_EQ_U(gin(0x20), 0x08);
	gout(0x20, EOI);
	gout(0x20, 0x0c);
	CHECK_EQ_U(gin(0x20), 0x00);
	teardown();
}

TEST(pic_reinit_and_wide_access)
{
	uint64_t x = 0x1234;

	setup();
	pic_init(0x20, 0x28, false);
	pic_set_irq(PIC, 1, true);
	pic_init(0x40, 0x48, false); /* ICW1 forgets the latched edge */
	CHECK(!pic_intr(PIC));
	/* 16-bit access to 0x20: command and data bytes. */
	CHECK_EQ_I(bus_access(&vm->pio, 0x20, 2, false, &x), 0);
	CHECK_EQ_U(x, 0x0000);
	CHECK_EQ_I(bus_access(&vm->pio, 0x21, 2, false, &x), -ENODEV);
	x = 0xffffffff;
	CHECK_EQ_I(bus_access(&vm->pio, 0x4d0, 2, true, &x), 0);
	CHECK_EQ_U(gin(0x4d0), 0xf8);
	CHECK_EQ_U(gin(0x4d1), 0xde);
	/* ICW1 without ICW4: 8080 mode is not emulated, said once. */
	gout(0x20, 0x12);
	gout(0x21, 0x08);
	CHECK(warnings == 1);
	teardown();
}

/* --- I/O APIC ---------------------------------------------------------------- */

#define IOAPIC_BASE 0xfec00000ull

static void mmio_write(uint64_t off, unsigned size, uint64_t v)
{
	CHECK_EQ_I(bus_access(&vm->mmio, IOAPIC_BASE + off, size, true, &v), 0);
}

static uint64_t mmio_read(uint64_t off, unsigned size)
{
	uint64_t v = 0x5a5a;

	CHECK_EQ_I(bus_access(&vm->mmio, IOAPIC_BASE + off, size, false, &v), 0);
	return v;
}

static void io_write(uint32_t reg, uint32_t v)
{
	mmio_write(0x00, 4, reg);
	mmio_write(0x10, 4, v);
}

static uint32_t io_read(uint32_t reg)
{
	mmio_write(0x00, 4, reg);
	return (uint32_t)mmio_read(0x10, 4);
}

static void rte_set(unsigned pin, uint64_t e)
{
	io_write(0x11 + 2 * pin, (uint32_t)(e >> 32));
	io_write(0x10 + 2 * pin, (uint32_t)e);
}

static uint64_t rte_get(unsigned pin)
{
	return (uint64_t)io_read(0x11 + 2 * pin) << 32 | io_read(0x10 + 2 * pin);
}

#define IO (vm->ioapic)

TEST(ioapic_id_version)
{
	setup();
	CHECK(vm->ioapic == &vm->devs[1]);
	CHECK_EQ_U(io_read(0x01), 0x00170020);
	CHECK_EQ_U(io_read(0x00), 0);
	io_write(0x00, 0x0f000000 | 0xf0ffffff);
	CHECK_EQ_U(io_read(0x00), 0x0f000000);
	CHECK_EQ_U(io_read(0x02), 0x0f000000);
	io_write(0x01, 0); /* read-only */
	CHECK_EQ_U(io_read(0x01), 0x00170020);
	CHECK_EQ_U(mmio_read(0x00, 4), 0x01);
	for (unsigned pin = 0; pin < 24; pin++)
		CHECK_EQ_U(rte_get(pin), 0x10000); /* masked */
	teardown();
}

TEST(ioapic_rte_roundtrip)
{
	setup();
	rte_set(5, 0xab00000000000000ull | 1 << 15 | 1 << 13 | 1 << 11 | 1 << 8 | 0x41);
	CHECK_EQ_U(rte_get(5), 0xab00000000000000ull | 1 << 15 | 1 << 13 | 1 << 11 | 1 << 8 | 0x41);
	/* Delivery status, remote IRR and reserved bits are not writable. */
	rte_set(6, 0x00ffffffffffffffull | 1ull << 16);
	CHECK_EQ_U(rte_get(6), 0x1afffull);
	CHECK_EQ_U(nr_sent, 0);
	teardown();
}

TEST(ioapic_masked_sends_nothing)
{
	setup();
	ioapic_set_irq(IO, 3, true);
	ioapic_set_irq(IO, 3, false);
	rte_set(4, 1 << 16 | 1 << 15 | 0x44); /* masked level */
	ioapic_set_irq(IO, 4, true);
	CHECK_EQ_I(nr_sent, 0);
	CHECK_EQ_U(rte_get(4) & 1 << 14, 0);
	/* Unmasking an asserted level pin sends. */
	rte_set(4, 1 << 15 | 0x44);
	CHECK_EQ_I(nr_sent, 1);
	CHECK_EQ_U(sent[0].vector, 0x44);
	CHECK(sent[0].level);
	teardown();
}

TEST(ioapic_edge)
{
	setup();
	rte_set(1, 0x0300000000000000ull | 1 << 11 | 0x31); /* fixed, logical, dest 3 */
	ioapic_set_irq(IO, 1, true);
	CHECK_EQ_I(nr_sent, 1);
	ioapic_set_irq(IO, 1, true); /* no edge */
	CHECK_EQ_I(nr_sent, 1);
	ioapic_set_irq(IO, 1, false);
	ioapic_set_irq(IO, 1, true);
	CHECK_EQ_I(nr_sent, 2);
	CHECK_EQ_U(sent[1].vector, 0x31);
	CHECK_EQ_U(sent[1].dest, 3);
	CHECK(sent[1].logical);
	CHECK_EQ_U(sent[1].mode, APIC_DM_FIXED);
	CHECK(!sent[1].level);
	CHECK_EQ_U(rte_get(1) & 1 << 14, 0);
	/* NMI on a pin: delivered with its mode. */
	rte_set(2, 4 << 8);
	ioapic_set_irq(IO, 2, true);
	CHECK_EQ_I(nr_sent, 3);
	CHECK_EQ_U(sent[2].mode, APIC_DM_NMI);
	teardown();
}

TEST(ioapic_level_remote_irr)
{
	setup();
	rte_set(9, 1 << 15 | 0x59);
	ioapic_set_irq(IO, 9, true);
	CHECK_EQ_I(nr_sent, 1);
	CHECK(rte_get(9) & 1 << 14);
	ioapic_set_irq(IO, 9, true);
	ioapic_set_irq(IO, 20, true);
	CHECK_EQ_I(nr_sent, 1);
	ioapic_eoi(IO, 0x58); /* another vector */
	CHECK_EQ_I(nr_sent, 1);
	ioapic_eoi(IO, 0x59); /* still asserted: again */
	CHECK_EQ_I(nr_sent, 2);
	CHECK(rte_get(9) & 1 << 14);
	ioapic_set_irq(IO, 9, false);
	ioapic_eoi(IO, 0x59);
	CHECK_EQ_I(nr_sent, 2);
	CHECK_EQ_U(rte_get(9) & 1 << 14, 0);
	/* The EOI register (version 0x20) does the same. */
	ioapic_set_irq(IO, 9, true);
	CHECK_EQ_I(nr_sent, 3);
	mmio_write(0x40, 4, 0x59);
	CHECK_EQ_I(nr_sent, 4);
	/* Switching the pin to edge drops remote IRR. */
	rte_set(9, 0x59);
	CHECK_EQ_U(rte_get(9) & 1 << 14, 0);
	teardown();
}

TEST(ioapic_bad_accesses)
{
	setup();
	io_write(0x10, 0x61); /* pin 0 unmasked, vector 0x61 */
	mmio_write(0x00, 1, 0x01);
	CHECK_EQ_U(mmio_read(0x00, 4), 0x10); /* the byte write was ignored */
	CHECK_EQ_U(mmio_read(0x10, 2), 0xffff);
	CHECK_EQ_U(mmio_read(0x10, 1), 0xff);
	CHECK_EQ_U(mmio_read(0x10, 8), ~0ull);
	mmio_write(0x10, 8, 0);
	mmio_write(0x10, 2, 0);
	CHECK_EQ_U(io_read(0x10), 0x61);
	CHECK(warnings >= 6);
	CHECK_EQ_U(mmio_read(0x20, 4), 0xffffffffu);
	mmio_write(0x20, 4, 0);
	mmio_write(0xffc, 4, 0);
	for (uint32_t reg = 0; reg < 0x100; reg++) {
		mmio_write(0x00, 4, reg);
		if (reg >= 0x40 || (reg > 0x02 && reg < 0x10))
			CHECK_EQ_U(mmio_read(0x10, 4), 0);
		mmio_write(0x10, 4, 0xffffffff);
	}
	mmio_write(0x00, 4, 0xffffffff);
	CHECK_EQ_U(mmio_read(0x00, 4), 0xff);
	ioapic_set_irq(IO, 24, true);
	ioapic_set_irq(IO, ~0u, true);
	pic_set_irq(PIC, 16, true);
	teardown();
}

TEST(irqc_reset)
{
	setup();
	pic_init(0x20, 0x28, false);
	rte_set(3, 0x33);
	pic_ops.reset(PIC);
	ioapic_ops.reset(IO);
	CHECK_EQ_U(gin(0x21), 0xff);
	CHECK_EQ_U(rte_get(3), 0x10000);
	teardown();
}

/* --- two CPUs at once -------------------------------------------------------- */

#define RACE_ROUNDS 20000

static void *race_thread(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg; /* 0 or 1 */

	for (unsigned i = 0; i < RACE_ROUNDS; i++) {
		ioapic_set_irq(IO, 1 + me, true); /* one edge each round */
		ioapic_set_irq(IO, 1 + me, false);
		pic_set_irq(PIC, 3 + 2 * me, true);
		pic_set_irq(PIC, 3 + 2 * me, i + 1 == RACE_ROUNDS && me); /* ends: IRQ5 high */
		if (me)
			(void)pic_intr(PIC);
		else if (pic_intr(PIC))
			(void)pic_intack(PIC);
	}
	return NULL;
}

TEST(irqc_concurrent)
{
	pthread_t t[2];
	struct vpic *p;

	setup();
	pic_init(0x20, 0x28, true);
	rte_set(1, 0x41);
	rte_set(2, 0x42);
	for (uintptr_t i = 0; i < 2; i++)
		CHECK_EQ_I(pthread_create(&t[i], NULL, race_thread, (void *)i), 0);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ_I(nr_sent, 2 * RACE_ROUNDS); /* no edge lost */
	p = PIC->priv;
	CHECK_EQ_U(p->chip[0].line, 0x20); /* no line update lost */
	CHECK_EQ_U(((struct vioapic *)IO->priv)->line, 0);
	teardown();
}
