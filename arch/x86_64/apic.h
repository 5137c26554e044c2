/* SPDX-License-Identifier: MIT */
/*
 * The local APIC of each CPU, in x2APIC mode when the CPU has it (MSR
 * access, 32-bit IDs) and xAPIC mode otherwise (MMIO at the base the
 * firmware tables give).
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* ICR delivery modes and flags (SDM Vol. 3A, "Interrupt Command Register"). */
#define ICR_FIXED      (0u << 8)
#define ICR_NMI        (4u << 8)
#define ICR_INIT       (5u << 8)
#define ICR_STARTUP    (6u << 8)
#define ICR_ASSERT     (1u << 14)
#define ICR_LEVEL      (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)

/* Boot CPU: choose the mode, enable. mmio_base from the firmware tables. */
void apic_init(uint64_t mmio_base);
/* Each AP: enable its APIC in the mode the BSP chose. */
void apic_init_ap(void);
bool apic_is_x2apic(void);
uint32_t apic_id(void);
/* Send an IPI; waits for the previous one to be accepted (xAPIC). */
void apic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);
void apic_eoi(void);

#endif
