/* SPDX-License-Identifier: MIT */
/* Every device type (one file each under vmm/dev/). */
#ifndef VMM_DEV_DEVICES_H
#define VMM_DEV_DEVICES_H

#include "vmm/vdev.h"

extern const struct vdev_ops acpi_pm_ops;   /* ACPI PM1a event/control, PM timer (0x600) */
extern const struct vdev_ops debugcon_ops;  /* port 0xe9 console */
extern const struct vdev_ops debugexit_ops; /* port 0xf4 power-off with a code */
extern const struct vdev_ops testdev_ops;   /* scratch ports and MMIO for tests */
extern const struct vdev_ops pic_ops;       /* 8259A pair and ELCR (irq.h) */
extern const struct vdev_ops ioapic_ops;    /* I/O APIC at 0xfec00000 (irq.h) */
extern const struct vdev_ops lapic_ops;     /* local APICs, 0xfee00000 (vlapic.h) */
extern const struct vdev_ops uart_ops;      /* 16550A at COM1, IRQ 4 */
extern const struct vdev_ops pit_ops;       /* 8254 PIT and port 0x61 */
extern const struct vdev_ops rtc_ops;       /* MC146818 RTC and CMOS RAM, IRQ 8 */
extern const struct vdev_ops sysport_ops;   /* ports 0x80, i8042 stub, 0x92, 0xcf9 */

#endif
