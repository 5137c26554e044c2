// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the interrupt controllers (vmm/dev/pic.c,
 * vmm/dev/ioapic.c): a guest chooses every port and MMIO access, devices
 * choose the line levels, vCPUs acknowledge and EOI whenever they like.
 *
 * Input: operations of 4 bytes (kind, a, b, c):
 *   kind % 8  0 port write, 1 port read (a picks the port, b the width, c the value)
 *             2 pic_set_irq(a % 18, c & 1)     3 pic_intr / pic_intack
 *             4 MMIO write, 5 MMIO read (a picks the offset, b the width, c
 *               the value; IOREGSEL writes pick a register near the table)
 *             6 ioapic_set_irq(a % 26, c & 1)  7 ioapic_eoi(vector) (c: a
 *               vector sent earlier or any)
 *
 * Checked: no sanitizer finding and no hang (the callbacks take the
 * controllers' locks again, which would deadlock if they were called with
 * a lock held); vectors in 0-255; a message is never sent with SMI, SIPI
 * or a reserved delivery mode, at most 24 per operation; remote IRR only
 * on level pins; the 8259 state stays in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/bus.c"
#include "vmm/dev/ioapic.c"
#include "vmm/dev/pic.c"

#define CHECK(c)                           \
	do {                               \
		if (!(c))                  \
			__builtin_trap();  \
	} while (0)

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

void vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	(void)vm, (void)level, (void)fmt;
}

static struct vm *vm;
static unsigned sent_this_op;
static uint8_t last_vector;
static int depth;

/* vCPU 0 looks at once: takes the PIC's lock (deadlock if it were held). */
void vm_extint_changed(struct vm *v)
{
	CHECK(v == vm);
	(void)pic_intr(v->pic);
}

/* A local APIC: checks the message, and reads the IOAPIC (lock not held). */
void vm_apic_send(struct vm *v, const struct apic_msg *msg)
{
	uint64_t x;

	CHECK(v == vm);
	CHECK(msg->mode == APIC_DM_FIXED || msg->mode == APIC_DM_LOWEST ||
	      msg->mode == APIC_DM_NMI || msg->mode == APIC_DM_INIT ||
	      msg->mode == APIC_DM_EXTINT);
	CHECK(msg->dest <= 0xff);
	CHECK(++sent_this_op <= IOAPIC_PINS);
	if (msg->level)
		last_vector = msg->vector;
	if (depth++ == 0)
		bus_access(&v->mmio, MANIFEST_IOAPIC_BASE + 0x10, 4, false, &x);
	depth--;
}

static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x22, 0x4d2 };
static const uint64_t mmio_offs[] = { 0x00, 0x10, 0x40, 0x04, 0x11, 0x3f, 0xff0, 0xffc };

static void check_state(void)
{
	struct vpic *p = vm->pic->priv;
	struct vioapic *io = vm->ioapic->priv;

	for (unsigned i = 0; i < 2; i++) {
		const struct pic_chip *c = &p->chip[i];

		CHECK(c->lowest < 8);
		CHECK(c->init_step == 0 || (c->init_step >= 2 && c->init_step <= 4));
		CHECK((c->elcr & ~c->elcr_mask) == 0);
		CHECK((c->base & 7) == 0);
	}
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		CHECK(!(e & RTE_REMOTE_IRR) || (e & RTE_LEVEL));
		CHECK(!(e & RTE_BUSY));
	}
	CHECK(io->regsel <= 0xff);
	CHECK((io->line >> IOAPIC_PINS) == 0);
}

static void op(const uint8_t *o)
{
	unsigned a = o[1], b = o[2], c = o[3];
	unsigned size = 1u << (b & 3);
	uint64_t x = c | (uint64_t)c << 24 | (uint64_t)b << 40;
	int vec;

	sent_this_op = 0;
	switch (o[0] & 7) {
	case 0:
		x = c;
		bus_access(&vm->pio, ports[a & 7], size, true, &x);
		break;
	case 1:
		x = 0;
		if (bus_access(&vm->pio, ports[a & 7], size, false, &x) == 0 && size < 8)
			CHECK(x >> 8 * size == 0);
		break;
	case 2:
		pic_set_irq(vm->pic, a % 18, c & 1);
		break;
	case 3:
		if (pic_intr(vm->pic) || (c & 1)) {
			vec = pic_intack(vm->pic);
			CHECK(vec >= 0 && vec <= 0xff);
		}
		break;
	case 4:
		if ((a & 7) == 0 && (b & 3) == 2)
			x = c & 0x80 ? c : c & 0x3f; /* mostly real registers */
		bus_access(&vm->mmio, MANIFEST_IOAPIC_BASE + mmio_offs[a & 7], size, true, &x);
		break;
	case 5:
		bus_access(&vm->mmio, MANIFEST_IOAPIC_BASE + mmio_offs[a & 7], size, false, &x);
		break;
	case 6:
		ioapic_set_irq(vm->ioapic, a % 26, c & 1);
		break;
	default:
		ioapic_eoi(vm->ioapic, a & 1 ? last_vector : (uint8_t)c);
		break;
	}
	check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
	last_vector = 0;
	for (size_t i = 0; i + 4 <= size; i += 4) {
		if (i / 4 % 64 == 63) { /* now and then, a VM reset */
			pic_ops.reset(vm->pic);
			ioapic_ops.reset(vm->ioapic);
		}
		op(data + i);
	}
	pic_ops.destroy(&vm->devs[0]);
	ioapic_ops.destroy(&vm->devs[1]);
	CHECK(!vm->pic && !vm->ioapic);
	free(vm);
	return 0;
}
