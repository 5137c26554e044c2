/* SPDX-License-Identifier: MIT */
/*
 * The host serial port (a 16550 at COM1), the first console sink. Polled
 * output; safe to call uart_early_init() more than once.
 */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <stdint.h>

#define UART_COM1 0x3f8

void uart_early_init(uint16_t port, uint32_t baud);
void uart_putc(char c);
void uart_write(const char *buf, unsigned long len);
/* A received byte, or -1 when none is waiting (never blocks). */
int uart_getc(void);

#endif
