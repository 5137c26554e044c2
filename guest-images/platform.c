// SPDX-License-Identifier: MIT
/*
 * The PC platform devices every VM gets, seen from the guest: the 16550A
 * at COM1, the 8254 PIT with port 0x61, the CMOS RTC and its RAM.
 * Interrupt delivery is not checked here (that needs the interrupt
 * controllers); the device side of it (IIR) is.
 */
#include "guest-images/lib/guest.h"

#define COM1     0x3f8
#define UART_RBR (COM1 + 0)
#define UART_IER (COM1 + 1)
#define UART_IIR (COM1 + 2)
#define UART_LCR (COM1 + 3)
#define UART_MCR (COM1 + 4)
#define UART_LSR (COM1 + 5)
#define UART_MSR (COM1 + 6)
#define UART_SCR (COM1 + 7)

#define PIT_CH0  0x40
#define PIT_CH2  0x42
#define PIT_CMD  0x43
#define PORT61   0x61
#define PIT_HZ   1193182ull

#define RTC_INDEX 0x70
#define RTC_DATA  0x71

static uint64_t tsc_khz;

static uint64_t ms_to_tsc(uint64_t ms)
{
	return ms * tsc_khz;
}

static void uart_tests(void)
{
	uint8_t v, iir1, iir2, lsr;

	outb(UART_SCR, 0xa5);
	v = inb(UART_SCR);
	outb(UART_SCR, 0x5a);
	check(v == 0xa5 && inb(UART_SCR) == 0x5a, "uart.scratch", "read %x", v);
	lsr = inb(UART_LSR);
	check((lsr & 0x60) == 0x60, "uart.lsr-thre-temt", "lsr %x", lsr);

	outb(UART_LCR, 0x83); /* DLAB, 8N1 */
	outb(UART_RBR, 0x01);
	outb(UART_IER, 0x02);
	v = inb(UART_RBR);
	iir1 = inb(UART_IER);
	outb(UART_LCR, 0x03);
	check(v == 0x01 && iir1 == 0x02 && inb(UART_IER) == 0x00 && inb(UART_LCR) == 0x03,
	      "uart.divisor-latch", "dll %x dlm %x", v, iir1);

	outb(UART_IIR, 0x07); /* FIFO on, both cleared */
	v = inb(UART_IIR);
	check((v & 0xc0) == 0xc0 && (v & 0x0f) == 0x01, "uart.fifo-iir", "iir %x", v);

	/* Loopback: a THR byte comes back in RBR, the modem lines follow MCR. */
	outb(UART_MCR, 0x1a); /* LOOP | OUT2 | RTS */
	v = inb(UART_MSR);
	check((v & 0xf0) == 0x90, "uart.loopback-msr", "msr %x", v);
	outb(UART_RBR, 'X');
	lsr = inb(UART_LSR);
	v = inb(UART_RBR);
	check((lsr & 0x01) && v == 'X' && !(inb(UART_LSR) & 0x01), "uart.loopback", "lsr %x rbr %x",
	      lsr, v);
	for (int i = 0; i < 16; i++)
		outb(UART_RBR, (uint8_t)i);
	outb(UART_RBR, 0xff); /* the 17th byte overruns the 16-byte FIFO */
	lsr = inb(UART_LSR);
	v = 0;
	for (int i = 0; i < 16; i++)
		v |= (uint8_t)(inb(UART_RBR) != i);
	check((lsr & 0x03) == 0x03 && !v && !(inb(UART_LSR) & 0x03), "uart.fifo-overrun",
	      "lsr %x mismatch %x", lsr, v);

	/* THRE interrupt: raised by enabling ETBEI, cleared by reading IIR. */
	outb(UART_IER, 0x02);
	iir1 = inb(UART_IIR);
	iir2 = inb(UART_IIR);
	check((iir1 & 0x0f) == 0x02 && (iir2 & 0x0f) == 0x01, "uart.thre-irq-iir",
	      "iir %x then %x", iir1, iir2);
	outb(UART_RBR, 'Y'); /* in loopback: a THR write re-raises THRE after sending */
	iir1 = inb(UART_IIR);
	check((iir1 & 0x0f) == 0x02, "uart.thre-after-thr-write", "iir %x", iir1);
	/* Linux's THRE test: enabling again after disabling raises it again. */
	outb(UART_IER, 0x00);
	outb(UART_IER, 0x02);
	iir1 = inb(UART_IIR);
	outb(UART_IER, 0x00);
	outb(UART_IER, 0x02);
	iir2 = inb(UART_IIR);
	check((iir1 & 0x0f) == 0x02 && (iir2 & 0x0f) == 0x02, "uart.thre-reenable",
	      "iir %x then %x", iir1, iir2);
	/* RX data outranks THRE. */
	outb(UART_IER, 0x03);
	v = inb(UART_IIR);
	check((v & 0x0f) == 0x04, "uart.rx-irq-priority", "iir %x", v);
	(void)inb(UART_RBR);
	outb(UART_IER, 0x00);
	outb(UART_MCR, 0x00);
	check(inb(UART_IER) == 0 && (inb(UART_IIR) & 0x0f) == 0x01, "uart.quiet", "iir %x",
	      inb(UART_IIR));
}

static uint16_t pit_latch2(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x80); /* latch channel 2 */
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(hi << 8 | lo);
}

static void pit_tests(void)
{
	uint16_t count = (uint16_t)(PIT_HZ / 100), c1, c2; /* 10 ms */
	uint64_t t0, t1, want, spins = 0;
	uint8_t p61 = inb(PORT61), v, st, out_before;

	check(((p61 ^ inb(PORT61)) & 0x10) == 0x10, "pit.refresh-toggles", "0x61 %x", p61);

	/* Channel 2, mode 0, gated through port 0x61 (Linux's TSC calibration). */
	outb(PORT61, (p61 & ~0x03) & 0x0f);
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	outb(PORT61, (p61 & ~0x02 & 0x0f) | 0x01);
	t0 = rdtsc();
	out_before = inb(PORT61) & 0x20;
	while (!(inb(PORT61) & 0x20) && ++spins < 10000000)
		;
	t1 = rdtsc();
	want = count * tsc_khz * 1000 / PIT_HZ;
	check(!out_before && spins < 10000000 && t1 - t0 > want / 2 && t1 - t0 < want * 4,
	      "pit.ch2-mode0-terminal-count", "out %x, %lu TSC ticks for %lu, %lu polls",
	      out_before, t1 - t0, want, spins);
	check(inb(PORT61) & 0x20, "pit.ch2-output-stays-high", "0x61 %x", inb(PORT61));

	/* Read-back: status of channel 2 (access lo/hi, mode 0, output high). */
	outb(PIT_CMD, 0xe8);
	st = inb(PIT_CH2);
	check(st == 0xb0, "pit.readback-status", "status %x", st);

	/* Counts decrease, latched or read back. */
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	c1 = pit_latch2();
	for (volatile int i = 0; i < 2000; i++)
		;
	c2 = pit_latch2();
	check(c2 < c1 && c1 > 0xff00, "pit.latch-decreases", "%x then %x", c1, c2);
	outb(PIT_CMD, 0xc8); /* read back count and status of channel 2 */
	st = inb(PIT_CH2);
	v = inb(PIT_CH2);
	c1 = (uint16_t)(inb(PIT_CH2) << 8 | v);
	check(st == 0x30 && c1 < c2, "pit.readback-count", "status %x count %x after %x", st, c1,
	      c2);
	/* Gate low pauses mode 0. */
	outb(PORT61, p61 & 0x0c);
	c1 = pit_latch2();
	for (volatile int i = 0; i < 2000; i++)
		;
	c2 = pit_latch2();
	check(c1 == c2, "pit.gate-low-pauses", "%x then %x", c1, c2);
	outb(PORT61, p61 & 0x0f);

	/* Channel 0 periodic (mode 2), lo/hi access: its live count moves. */
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, 0x00);
	outb(PIT_CH0, 0x80); /* 0x8000: ~27 ms */
	outb(PIT_CMD, 0x00);
	v = inb(PIT_CH0);
	c1 = (uint16_t)(inb(PIT_CH0) << 8 | v);
	for (volatile int i = 0; i < 2000; i++)
		;
	outb(PIT_CMD, 0x00);
	v = inb(PIT_CH0);
	c2 = (uint16_t)(inb(PIT_CH0) << 8 | v);
	check(c1 <= 0x8000 && c2 < c1, "pit.ch0-mode2-counts", "%x then %x", c1, c2);
	outb(PIT_CMD, 0x30); /* stop it the way Linux does: mode 0, no count */
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(RTC_INDEX, reg);
	outb(RTC_DATA, v);
}

static bool bcd_ok(uint8_t v, unsigned max)
{
	return (v & 0x0f) <= 9 && (v >> 4) <= 9 && (v >> 4) * 10u + (v & 0x0f) <= max;
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0x0f);
}

/*
 * Wait (at most limit TSC ticks) for the seconds register to change: its
 * TSC or 0; *uip: the TSC UIP was last seen set. Polls every 50 us: port
 * exits are slow in an emulator, and UIP stays set for 244 us.
 */
static uint64_t next_second(uint64_t limit, uint8_t *s0, uint8_t *s1, uint64_t *uip)
{
	uint64_t start = rdtsc(), now, gap = tsc_khz / 20;

	*s0 = cmos_read(0x00);
	while ((now = rdtsc()) - start < limit) {
		while (rdtsc() - now < gap)
			;
		if (cmos_read(0x0a) & 0x80)
			*uip = rdtsc();
		if ((*s1 = cmos_read(0x00)) != *s0)
			return now;
	}
	return 0;
}

static void rtc_tests(void)
{
	uint8_t b, h_bcd = 0, h_bin = 0, h_12 = 0, s = 0, s1 = 0;
	uint64_t t1, uip = 0;

	check(cmos_read(0x0d) & 0x80, "rtc.reg-d-vrt", "D %x", cmos_read(0x0d));
	b = cmos_read(0x0b);
	check(b == 0x02, "rtc.reg-b-default", "B %x", b);
	cmos_write(0x40, 0x5a);
	cmos_write(0x7f, 0xc3);
	check(cmos_read(0x40) == 0x5a && cmos_read(0xc0) == 0x5a && cmos_read(0x7f) == 0xc3 &&
		      cmos_read(0x10) == 0,
	      "rtc.cmos-ram", "0x40 %x 0x7f %x 0x10 %x", cmos_read(0x40), cmos_read(0x7f),
	      cmos_read(0x10));

	s = cmos_read(0x00);
	check(bcd_ok(s, 59) && bcd_ok(cmos_read(0x02), 59) && bcd_ok(cmos_read(0x04), 23) &&
		      bcd_ok(cmos_read(0x08), 12) && bcd(cmos_read(0x08)) >= 1,
	      "rtc.bcd-time", "s %x m %x h %x mon %x", s, cmos_read(0x02), cmos_read(0x04),
	      cmos_read(0x08));
	for (int tries = 0; tries < 3; tries++) {
		cmos_write(0x0b, 0x02);
		h_bcd = cmos_read(0x04);
		cmos_write(0x0b, 0x06);
		h_bin = cmos_read(0x04);
		cmos_write(0x0b, 0x04);
		h_12 = cmos_read(0x04);
		cmos_write(0x0b, 0x02);
		if (bcd(h_bcd) == h_bin)
			break; /* else the hour changed in between: again */
	}
	check(bcd(h_bcd) == h_bin && (h_12 & 0x7f) >= 1 && (h_12 & 0x7f) <= 12 &&
		      (h_12 & 0x7f) % 12 == h_bin % 12 && !!(h_12 & 0x80) == (h_bin >= 12),
	      "rtc.hour-formats", "bcd %x binary %u 12h %x", h_bcd, h_bin, h_12);

	/*
	 * The seconds advance by one within a second of TSC time (one tick
	 * only: emulated seconds are slow), and UIP is set just before.
	 */
	t1 = next_second(ms_to_tsc(1200), &s, &s1, &uip);
	check(t1 && bcd(s1) == (bcd(s) + 1) % 60, "rtc.seconds-advance", "%x then %x", s, s1);
	check(uip && t1 - uip < ms_to_tsc(1), "rtc.uip-before-update", "UIP seen %lu us before",
	      uip ? (t1 - uip) * 1000 / tsc_khz : 0);
	{
		uint8_t c1 = cmos_read(0x0c), c2 = cmos_read(0x0c);

		/* The update-ended flag is set each second, IRQF only if UIE; reading clears. */
		check((c1 & 0x10) && !(c1 & 0x80) && !(c2 & 0x10), "rtc.reg-c-flags", "C %x then %x",
		      c1, c2);
	}
}

int main(void);
int main(void)
{
	uint32_t r[4];

	cpuid(0x40000010, 0, r);
	tsc_khz = r[0];
	check(tsc_khz != 0, "platform.tsc-khz", "cpuid 0x40000010 eax 0");
	if (!tsc_khz)
		tsc_khz = 1000000;
	uart_tests();
	pit_tests();
	rtc_tests();
	return guest_failures != 0;
}
