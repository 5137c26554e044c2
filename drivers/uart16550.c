// SPDX-License-Identifier: MIT
/*
 * 16550 UART, polled. Register layout: PC16550D datasheet; offsets from
 * the base port, with DLAB selecting the divisor latch at 0/1.
 */
#include <stdbool.h>

#include "arch/x86_64/cpu.h"
#include "drivers/console.h"
#include "drivers/uart16550.h"

#define UART_THR 0 /* transmit holding (write) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_THRE 0x20
#define LSR_DATA_READY 0x01
#define UART_RBR 0 /* receive buffer (read) */
#define UART_CLOCK 115200 /* divisor 1 */

static uint16_t uart_port;
static bool uart_ready;

static void uart_sink_write(const char *buf, unsigned long len)
{
	uart_write(buf, len);
}

static struct console_sink uart_sink = { .name = "com1", .write = uart_sink_write };

void uart_early_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(baud && baud <= UART_CLOCK ? UART_CLOCK / baud : 1);

	uart_port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, (uint8_t)div);
	outb(port + UART_DLM, (uint8_t)(div >> 8));
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
	if (!uart_ready) {
		uart_ready = true;
		console_register(&uart_sink);
	}
}

void uart_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the machine. */
	for (int i = 0; i < 100000 && !(inb(uart_port + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(uart_port + UART_THR, (uint8_t)c);
}

void uart_write(const char *buf, unsigned long len)
{
	if (!uart_ready)
		return;
	for (unsigned long i = 0; i < len; i++) {
		if (buf[i] == '\n')
			uart_putc('\r');
		uart_putc(buf[i]);
	}
}

int uart_getc(void)
{
	if (!uart_ready || !(inb(uart_port + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(uart_port + UART_RBR);
}
