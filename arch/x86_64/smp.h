/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors and stopping them again.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/platform.h"

/*
 * Start every CPU the platform lists (besides the caller) with
 * INIT-SIPI-SIPI, one at a time. A CPU that does not report in is named
 * and skipped. extra_apic_id (if not ~0u) is one more APIC ID to try,
 * which lets tests exercise the "CPU does not answer" path. Returns the
 * number of CPUs online, the boot CPU included.
 */
unsigned smp_boot(const struct platform *p, uint32_t extra_apic_id);
unsigned smp_cpus_online(void);

/* Halt every other CPU (NMI). For panic and power-off; safe before SMP. */
void smp_stop_others(void);
bool smp_stop_requested(void);

#endif
