// SPDX-License-Identifier: MIT
/*
 * Power-off and reset. ACPI S5: write SLP_TYPa | SLP_EN to PM1a_CNT (and
 * SLP_TYPb to PM1b_CNT when present), ACPI 6.4 §4.8.3.2.1 "PM1 Control
 * Registers" and §7.4.2 "\_Sx (System States)".
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/machine.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/smp.h"
#include "drivers/console.h"

#define BOCHS_SHUTDOWN_PORT 0x8900
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN (1u << 13)
#define RESET_CF9_PORT 0xcf9
#define CF9_SYS_RST 0x02
#define CF9_RST_CPU 0x04
#define KBC_CMD_PORT 0x64
#define KBC_PULSE_RESET 0xfe
#define GAS_SPACE_MEM 0
#define GAS_SPACE_IO 1

static enum emu_exit emu_exit;

void power_set_emu_exit(enum emu_exit how)
{
	emu_exit = how;
}

static void emulator_exit(enum power_stop_kind kind)
{
	static const char bochs_cmd[] = "Shutdown";

	switch (emu_exit) {
	case EMU_EXIT_BOCHS:
		for (const char *c = bochs_cmd; *c; c++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
		break;
	case EMU_EXIT_QEMU:
		/* QEMU exits with (value << 1) | 1: 1 = clean, 3 = failure. */
		outl(QEMU_DEBUG_EXIT_PORT, kind == POWER_STOP_FAILURE ? 1 : 0);
		break;
	case EMU_EXIT_NONE:
		break;
	}
}

static void acpi_s5(const struct platform *p)
{
	if (!p->pm1a_cnt || !p->s5_valid)
		return;
	if (p->pm1b_cnt)
		outw((uint16_t)p->pm1b_cnt,
		     (uint16_t)((p->s5_typ_b << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	outw((uint16_t)p->pm1a_cnt, (uint16_t)((p->s5_typ_a << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
}

static void reset_machine(const struct platform *p)
{
	if (p->reset_valid && p->reset_reg.addr) {
		if (p->reset_reg.space == GAS_SPACE_IO)
			outb((uint16_t)p->reset_reg.addr, p->reset_value);
		else if (p->reset_reg.space == GAS_SPACE_MEM)
			*(volatile uint8_t *)(uintptr_t)p->reset_reg.addr = p->reset_value;
		for (volatile int i = 0; i < 1000000; i++)
			;
	}
	outb(RESET_CF9_PORT, CF9_SYS_RST);
	outb(RESET_CF9_PORT, CF9_SYS_RST | CF9_RST_CPU);
	for (volatile int i = 0; i < 1000000; i++)
		;
	outb(KBC_CMD_PORT, KBC_PULSE_RESET);
}

void power_stop(enum power_stop_kind kind)
{
	const struct platform *p = platform_get();

	irq_disable();
	smp_stop_others();
	switch (kind) {
	case POWER_STOP_RESET:
		console_printf("basalt: resetting\n");
		reset_machine(p);
		break;
	case POWER_STOP_OFF:
	case POWER_STOP_FAILURE:
		console_printf("basalt: powering off\n");
		emulator_exit(kind);
		acpi_s5(p);
		break;
	case POWER_STOP_HALT:
		break;
	}
	console_printf("basalt: halted; it is safe to turn the machine off\n");
	cpu_halt_forever();
}
