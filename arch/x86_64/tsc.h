/* SPDX-License-Identifier: MIT */
/*
 * The time-stamp counter as the core's clock. tsc_init() learns the
 * frequency from CPUID leaf 0x15/0x16 or, failing that, by counting TSC
 * ticks across a PIT channel 2 interval. Before it has run, time reads 0.
 */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <stdint.h>

void tsc_mark_boot(void);
void tsc_init(void);
uint64_t tsc_khz(void);
/* "cpuid 0x15", "cpuid 0x16" or "pit" */
const char *tsc_source(void);
uint64_t tsc_ns_since_boot(void);
/* The TSC at the core's entry (tsc_mark_boot). */
uint64_t tsc_at_boot(void);
void tsc_delay_us(uint64_t us);
/* The raw counter (for code outside arch/ that must not use the instruction). */
uint64_t tsc_read(void);

#endif
