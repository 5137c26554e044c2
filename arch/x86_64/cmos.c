// SPDX-License-Identifier: MIT
/*
 * Reading the host's CMOS clock (MC146818A data sheet, "Address Map";
 * Intel PCH data sheets, "Real Time Clock"). The time registers are only
 * stable outside the update cycle: wait for register A's UIP to clear,
 * read everything, and read again until two reads agree.
 */
#include "arch/x86_64/cmos.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/spinlock.h"

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define NMI_DISABLE  0x80
#define REG_SEC      0x00
#define REG_MIN      0x02
#define REG_HOUR     0x04
#define REG_MDAY     0x07
#define REG_MON      0x08
#define REG_YEAR     0x09
#define REG_A        0x0a
#define REG_B        0x0b
#define REG_CENTURY  0x32
#define A_UIP        0x80
#define B_24H        0x02
#define B_BINARY     0x04
#define HOUR_PM      0x80
#define UIP_SPINS    100000u /* UIP lasts at most ~2 ms */
#define READ_TRIES   5

static struct spinlock cmos_lock = SPINLOCK_INIT;

static uint8_t cmos_reg(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, uint8_t b)
{
	return b & B_BINARY ? v : (unsigned)(v >> 4) * 10 + (v & 0x0f);
}

/* One snapshot of the raw registers; false if UIP never cleared. */
static bool snapshot(uint8_t raw[7])
{
	static const uint8_t regs[7] = { REG_SEC, REG_MIN, REG_HOUR, REG_MDAY,
					 REG_MON, REG_YEAR, REG_CENTURY };
	unsigned spins = 0;

	while (cmos_reg(REG_A) & A_UIP)
		if (++spins == UIP_SPINS)
			return false;
	for (unsigned i = 0; i < 7; i++)
		raw[i] = cmos_reg(regs[i]);
	return true;
}

static int decode(const uint8_t raw[7], uint8_t b, struct cmos_time *t)
{
	unsigned hour = from_bcd(raw[2] & (uint8_t)~HOUR_PM, b), century = from_bcd(raw[6], b);

	if (!(b & B_24H)) {
		hour %= 12;
		if (raw[2] & HOUR_PM)
			hour += 12;
	}
	if (century < 19 || century > 21)
		century = 20; /* no century register on this machine */
	*t = (struct cmos_time){ .year = century * 100 + from_bcd(raw[5], b),
				 .mon = from_bcd(raw[4], b), .mday = from_bcd(raw[3], b),
				 .hour = hour, .min = from_bcd(raw[1], b), .sec = from_bcd(raw[0], b) };
	if (t->mon < 1 || t->mon > 12 || t->mday < 1 || t->mday > 31 || t->hour > 23 ||
	    t->min > 59 || t->sec > 59)
		return -EIO;
	return 0;
}

int cmos_read_time(struct cmos_time *t)
{
	uint8_t a[7], b[7], regb;
	int err = -ETIMEDOUT;
	uint64_t flags = spin_lock_irqsave(&cmos_lock);

	for (unsigned i = 0; i < READ_TRIES; i++) {
		bool same = true;

		if (!snapshot(a) || !snapshot(b))
			break;
		for (unsigned j = 0; j < 7; j++)
			same &= a[j] == b[j];
		if (same) {
			regb = cmos_reg(REG_B);
			err = decode(a, regb, t);
			break;
		}
	}
	outb(CMOS_INDEX, REG_B); /* leave NMIs enabled */
	spin_unlock_irqrestore(&cmos_lock, flags);
	return err;
}
