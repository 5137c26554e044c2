/* SPDX-License-Identifier: MIT */
/*
 * Stopping the machine. power_stop() never returns. In order it tries:
 * the emulator exit chosen on the command line (exit=bochs: the Bochs
 * shutdown port; exit=qemu: isa-debug-exit at 0xf4), then ACPI S5 (or the
 * reset register / 0xcf9 / the keyboard controller for a reset), then
 * halts every CPU with a message saying so.
 */
#ifndef ARCH_POWER_H
#define ARCH_POWER_H

enum power_stop_kind {
	POWER_STOP_OFF,     /* clean power-off */
	POWER_STOP_FAILURE, /* panic or boot failure: off, with a failure code */
	POWER_STOP_RESET,   /* reboot */
	POWER_STOP_HALT,    /* stop every CPU, leave the machine on */
};

enum emu_exit {
	EMU_EXIT_NONE,
	EMU_EXIT_BOCHS,
	EMU_EXIT_QEMU,
};

void power_set_emu_exit(enum emu_exit how);
void __attribute__((noreturn)) power_stop(enum power_stop_kind kind);

#endif
