/* SPDX-License-Identifier: MIT */
/*
 * The test device, for test guests and benchmarks (not for production
 * VMs). Ports and MMIO registers:
 *
 *   port 0xe9            debug console: each byte written is console output
 *   port 0xf4 (4 bytes)  isa-debug-exit: writing V powers the VM off with
 *                        exit code V (QEMU-compatible)
 *   ports 0x510-0x517    TESTDEV_PIO: 8 bytes of scratch: a write of size
 *                        n at offset o stores n bytes, reads return them
 *   port 0x518           TESTDEV_PIO_NULL: reads 0, ignores writes (bench)
 *
 *   MMIO TESTDEV_MMIO_BASE, 4 KiB:
 *     0x000-0xeff  scratch memory: reads return what was written
 *     0xf00        (read) last access: size | write << 8 | offset << 16
 *     0xf08        (read) number of accesses so far
 *     0xf10        null register: reads 0, ignores writes (bench)
 *     0xf18        (write) raise an external interrupt with vector V on
 *                  vCPU 0; it is delivered when the guest can take it
 *     0xf20        (read) the host TSC when the VMM started its guests: a
 *                  time origin shared by every VM of one boot
 *     0xf28        (write) one-shot timer: at host TSC V, raise the vector
 *                  last written to 0xf30 on vCPU 0 (0 cancels)
 *     0xf30        (write) the timer's vector
 */
#ifndef BASALT_TESTDEV_H
#define BASALT_TESTDEV_H

#define DEBUGCON_PORT      0xe9
#define DEBUG_EXIT_PORT    0xf4
#define TESTDEV_PIO        0x510
#define TESTDEV_PIO_LEN    8
#define TESTDEV_PIO_NULL   0x518
#define TESTDEV_MMIO_BASE  0xfeb00000u
#define TESTDEV_MMIO_LEN   0x1000u
#define TESTDEV_SCRATCH_LEN 0xf00u
#define TESTDEV_REG_LAST   0xf00u
#define TESTDEV_REG_COUNT  0xf08u
#define TESTDEV_REG_NULL   0xf10u
#define TESTDEV_REG_IRQ    0xf18u
#define TESTDEV_REG_EPOCH  0xf20u
#define TESTDEV_REG_TIMER  0xf28u
#define TESTDEV_REG_TIMER_VECTOR 0xf30u

#endif
