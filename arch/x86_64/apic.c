// SPDX-License-Identifier: MIT
/*
 * Local APIC access. Register offsets are the xAPIC MMIO ones; in x2APIC
 * mode register r is MSR 0x800 + r/16 and the ICR is one 64-bit MSR
 * (SDM Vol. 3A, "Extended XAPIC (x2APIC)").
 */
#define pr_fmt "apic"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console.h"

#define APIC_REG_ID    0x020
#define APIC_REG_VER   0x030
#define APIC_REG_EOI   0x0b0
#define APIC_REG_SVR   0x0f0
#define APIC_REG_ICR_LO 0x300
#define APIC_REG_ICR_HI 0x310
#define MSR_X2APIC_BASE 0x800

#define APIC_BASE_BSP    (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR   0x000ffffffffff000ull
#define SVR_ENABLE       (1u << 8)
#define SPURIOUS_VECTOR  0xff
#define ICR_PENDING      (1u << 12)
#define CPUID_X2APIC     (1u << 21) /* leaf 1 ECX */

static bool x2apic;
static volatile uint32_t *mmio;

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
	return mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

static void enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	/* disabled -> x2APIC is not a valid transition: go through xAPIC */
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	apic_write(APIC_REG_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
}

/*
 * The legacy 8259 pair: moved off the exception vectors (the BIOS leaves
 * IRQ 0 on vector 8) and fully masked. Basalt takes interrupts through the
 * local APIC only.
 */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define PIC1_VECTOR 0x20
#define PIC2_VECTOR 0x28

static void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC1_VECTOR);
	outb(PIC2_DATA, PIC2_VECTOR);
	outb(PIC1_DATA, 1 << 2); /* slave on IRQ 2 */
	outb(PIC2_DATA, 2);      /* slave identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void apic_init(uint64_t mmio_base)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = cpuid(1, 0).ecx & CPUID_X2APIC;
	if (!mmio_base)
		mmio_base = base & APIC_BASE_ADDR;
	mmio = (volatile uint32_t *)mmio_base;
	pic_disable();
	enable();
	pr_info("%s mode, id %u, version %#x\n", x2apic ? "x2APIC" : "xAPIC", apic_id(),
		apic_read(APIC_REG_VER) & 0xff);
}

void apic_init_ap(void)
{
	enable();
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_REG_ID);

	return x2apic ? id : id >> 24;
}

void apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + APIC_REG_ICR_LO / 16, ((uint64_t)dest << 32) | icr_low);
		return;
	}
	for (int i = 0; i < 1000000 && (apic_read(APIC_REG_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
	apic_write(APIC_REG_ICR_HI, dest << 24);
	apic_write(APIC_REG_ICR_LO, icr_low);
}

void apic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}
