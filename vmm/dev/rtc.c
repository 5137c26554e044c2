// SPDX-License-Identifier: MIT
/*
 * MC146818 CMOS real-time clock and RAM (Motorola MC146818A data sheet,
 * "Address Map" and "Registers"), ports 0x70 (index; bit 7, the PC's NMI
 * mask, is ignored) and 0x71 (data), IRQ 8.
 *
 *   0x00 sec  0x01 alarm sec  0x02 min  0x03 alarm min  0x04 hour
 *   0x05 alarm hour  0x06 day of week (1 = Sunday)  0x07 day  0x08 month
 *   0x09 year  0x0a A  0x0b B  0x0c C  0x0d D  0x0e-0x7f RAM (0x32 century)
 *
 *   A: 7 UIP (ro) 6:4 divider 3:0 periodic rate
 *   B: 7 SET 6 PIE 5 AIE 4 UIE 3 SQWE 2 DM (1 binary) 1 24h 0 DSE (ignored)
 *   C: 7 IRQF 6 PF 5 AF 4 UF (read clears)     D: 7 VRT (always 1)
 *
 * The clock is not stepped: it is the host's time read at create plus the
 * TSC ticks since, so the time, UIP (the last 244 us of each second) and
 * the flags are computed whenever the guest looks. A vtimer on vCPU 0
 * fires at the next second or periodic boundary while an enabled
 * interrupt could be raised, to drive IRQ 8 (a level: IRQF).
 *
 * Times before 1970 or after 2199 are refused, as are values out of range
 * or not BCD when the clock is in BCD mode: such writes are ignored.
 */
#define pr_fmt "rtc"
#include "arch/x86_64/cmos.h"
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/spinlock.h"
#include "arch/x86_64/tsc.h"
#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

#define RTC_BASE  0x70
#define RTC_LEN   2
#define RTC_IRQ   8
#define RAM_SIZE  128
#define INDEX_MASK 0x7f

#define REG_SEC     0x00
#define REG_ASEC    0x01
#define REG_MIN     0x02
#define REG_AMIN    0x03
#define REG_HOUR    0x04
#define REG_AHOUR   0x05
#define REG_WDAY    0x06
#define REG_MDAY    0x07
#define REG_MON     0x08
#define REG_YEAR    0x09
#define REG_A       0x0a
#define REG_B       0x0b
#define REG_C       0x0c
#define REG_D       0x0d
#define REG_CENTURY 0x32

#define A_UIP     0x80
#define A_RATE    0x0f
#define A_RW      0x7f
#define B_SET     0x80
#define B_PIE     0x40
#define B_AIE     0x20
#define B_UIE     0x10
#define B_DM      0x04 /* binary */
#define B_24H     0x02
#define C_IRQF    0x80
#define C_PF      0x40
#define C_AF      0x20
#define C_UF      0x10
#define D_VRT     0x80
#define HOUR_PM   0x80
#define ALARM_ANY 0xc0 /* alarm bytes with both top bits set match anything */

#define DIVIDER_HZ 32768ull
#define UIP_US     244
#define MIN_FIRE_US 100 /* the vtimer fires at most this often (host protection) */
#define EPOCH_YEAR 1970
#define LAST_YEAR  2199
#define SECS_PER_DAY 86400ull

struct rtc_time {
	unsigned year, mon, mday, hour, min, sec;
};

struct rtc {
	struct spinlock lock;
	uint8_t index, a, b, c;
	uint8_t ram[RAM_SIZE];   /* alarm bytes and 0x0e-0x7f */
	uint64_t tsc_hz;
	uint64_t base_secs, base_tsc; /* the time was base_secs at base_tsc */
	struct rtc_time frozen;  /* the time registers while B.SET */
	uint64_t last_sec, last_tick; /* the second and periodic tick flags were updated for */
	bool irq;
	struct vtimer timer;
};

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && leap(y));
}

/* Seconds since 1970-01-01 00:00:00 of a validated time. */
static uint64_t time_to_secs(const struct rtc_time *t)
{
	uint64_t days = t->mday - 1;

	for (unsigned y = EPOCH_YEAR; y < t->year; y++)
		days += leap(y) ? 366 : 365;
	for (unsigned m = 1; m < t->mon; m++)
		days += month_days(t->year, m);
	return days * SECS_PER_DAY + t->hour * 3600ull + t->min * 60ull + t->sec;
}

static void secs_to_time(uint64_t secs, struct rtc_time *t)
{
	uint64_t days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;

	t->year = EPOCH_YEAR;
	while (days >= (leap(t->year) ? 366u : 365u) && t->year < LAST_YEAR)
		days -= leap(t->year++) ? 366 : 365;
	t->mon = 1;
	while (t->mon < 12 && days >= month_days(t->year, t->mon))
		days -= month_days(t->year, t->mon++);
	t->mday = (unsigned)days + 1;
	t->hour = (unsigned)(rem / 3600);
	t->min = (unsigned)(rem / 60 % 60);
	t->sec = (unsigned)(rem % 60);
}

/* Day of the week of secs, 1 = Sunday (1970-01-01 was a Thursday). */
static unsigned weekday(uint64_t secs)
{
	return (unsigned)((secs / SECS_PER_DAY + 4) % 7) + 1;
}

/* TSC ticks since base_tsc (0 when another CPU's TSC reads just behind it). */
static uint64_t since_base(const struct rtc *r, uint64_t now)
{
	return (int64_t)(now - r->base_tsc) < 0 ? 0 : now - r->base_tsc;
}

static uint64_t now_secs(const struct rtc *r, uint64_t now)
{
	return r->base_secs + since_base(r, now) / r->tsc_hz;
}

/* Divider ticks (32768 Hz) since base_tsc. */
static uint64_t divider_ticks(const struct rtc *r, uint64_t now)
{
	uint64_t d = since_base(r, now);

	return d / r->tsc_hz * DIVIDER_HZ + d % r->tsc_hz * DIVIDER_HZ / r->tsc_hz;
}

/* The TSC of divider tick n (rounded up). */
static uint64_t divider_tsc(const struct rtc *r, uint64_t n)
{
	return r->base_tsc + n / DIVIDER_HZ * r->tsc_hz +
	       (n % DIVIDER_HZ * r->tsc_hz + DIVIDER_HZ - 1) / DIVIDER_HZ;
}

/* log2 of the periodic interrupt's period in divider ticks, 0: off. */
static unsigned rate_shift(uint8_t a)
{
	unsigned rate = a & A_RATE;

	if (!rate)
		return 0;
	return rate <= 2 ? rate + 6 : rate - 1;
}

static void get_time(const struct rtc *r, uint64_t now, struct rtc_time *t)
{
	if (r->b & B_SET)
		*t = r->frozen;
	else
		secs_to_time(now_secs(r, now), t);
}

static void put_time(struct rtc *r, uint64_t now, const struct rtc_time *t)
{
	uint64_t phase;

	if (r->b & B_SET) {
		r->frozen = *t;
		return;
	}
	phase = since_base(r, now) % r->tsc_hz; /* keep the divider chain's phase */
	r->base_secs = time_to_secs(t);
	r->base_tsc = now - phase;
	r->last_sec = r->base_secs;
	r->last_tick = divider_ticks(r, now) >> rate_shift(r->a);
}

static uint8_t encode(const struct rtc *r, unsigned v)
{
	return (uint8_t)(r->b & B_DM ? v : (v / 10) << 4 | v % 10);
}

/* A register byte as a number, or -1 if it is not valid BCD in BCD mode. */
static int decode(const struct rtc *r, uint8_t v)
{
	if (r->b & B_DM)
		return v;
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t encode_hour(const struct rtc *r, unsigned h)
{
	if (r->b & B_24H)
		return encode(r, h);
	return (uint8_t)(encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? HOUR_PM : 0));
}

static int decode_hour(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->b & B_24H)
		return decode(r, v);
	h = decode(r, v & (uint8_t)~HOUR_PM);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + (v & HOUR_PM ? 12 : 0);
}

static uint8_t read_time_reg(const struct rtc *r, unsigned reg, uint64_t now)
{
	struct rtc_time t;

	get_time(r, now, &t);
	switch (reg) {
	case REG_SEC:
		return encode(r, t.sec);
	case REG_MIN:
		return encode(r, t.min);
	case REG_HOUR:
		return encode_hour(r, t.hour);
	case REG_WDAY:
		return encode(r, weekday(time_to_secs(&t)));
	case REG_MDAY:
		return encode(r, t.mday);
	case REG_MON:
		return encode(r, t.mon);
	case REG_YEAR:
		return encode(r, t.year % 100);
	default: /* century */
		return encode(r, t.year / 100);
	}
}

/* A time register write; false if the value is refused. */
static bool write_time_reg(struct rtc *r, unsigned reg, uint8_t v, uint64_t now)
{
	struct rtc_time t;
	int n = reg == REG_HOUR ? decode_hour(r, v) : decode(r, v);

	get_time(r, now, &t);
	switch (reg) {
	case REG_SEC:
		t.sec = (unsigned)n;
		break;
	case REG_MIN:
		t.min = (unsigned)n;
		break;
	case REG_HOUR:
		t.hour = (unsigned)n;
		break;
	case REG_WDAY:
		return n >= 1 && n <= 7; /* derived from the date */
	case REG_MDAY:
		t.mday = (unsigned)n;
		break;
	case REG_MON:
		t.mon = (unsigned)n;
		break;
	case REG_YEAR:
		t.year = t.year / 100 * 100 + (unsigned)n;
		break;
	default: /* century */
		t.year = (unsigned)n * 100 + t.year % 100;
		break;
	}
	if (n < 0 || t.sec > 59 || t.min > 59 || t.hour > 23 || t.mon < 1 || t.mon > 12 ||
	    t.mday < 1 || t.mday > 31 || t.year < EPOCH_YEAR || t.year > LAST_YEAR)
		return false;
	/* While SET, a day beyond the month is allowed for now: the guest is mid-update. */
	if (!(r->b & B_SET) && t.mday > month_days(t.year, t.mon))
		return false;
	put_time(r, now, &t);
	return true;
}

static bool alarm_matches(const struct rtc *r, uint64_t now)
{
	static const uint8_t pairs[3][2] = { { REG_ASEC, REG_SEC }, { REG_AMIN, REG_MIN },
					     { REG_AHOUR, REG_HOUR } };

	for (unsigned i = 0; i < 3; i++) {
		uint8_t alarm = r->ram[pairs[i][0]];

		if ((alarm & ALARM_ANY) != ALARM_ANY && alarm != read_time_reg(r, pairs[i][1], now))
			return false;
	}
	return true;
}

/* Bring C's flags up to now and drive IRQ 8 from IRQF. Lock held. */
static void update_flags(struct vdev *d, struct rtc *r, uint64_t now)
{
	unsigned shift = rate_shift(r->a);
	bool level;

	if (!(r->b & B_SET)) {
		uint64_t s = now_secs(r, now);

		if (s != r->last_sec) {
			r->c |= C_UF;
			if (alarm_matches(r, now))
				r->c |= C_AF;
			r->last_sec = s;
		}
	}
	if (shift) {
		uint64_t tick = divider_ticks(r, now) >> shift;

		if (tick != r->last_tick)
			r->c |= C_PF;
		r->last_tick = tick;
	}
	if ((r->c & C_PF && r->b & B_PIE) || (r->c & C_AF && r->b & B_AIE) ||
	    (r->c & C_UF && r->b & B_UIE))
		r->c |= C_IRQF;
	level = r->c & C_IRQF;
	if (level != r->irq) {
		r->irq = level;
		vm_set_irq(d->vm, RTC_IRQ, level);
	}
}

/*
 * Arm the timer for the next boundary that could raise IRQF. Nothing to
 * do while IRQF is already set: reading C re-arms. Lock held.
 */
static void arm(struct rtc *r, uint64_t now)
{
	unsigned shift = rate_shift(r->a);
	uint64_t next = 0, min = now + r->tsc_hz / 1000000 * MIN_FIRE_US;

	if (!(r->c & C_IRQF) && !(r->b & B_SET) && (r->b & (B_UIE | B_AIE)))
		next = r->base_tsc + (since_base(r, now) / r->tsc_hz + 1) * r->tsc_hz;
	if (!(r->c & C_IRQF) && (r->b & B_PIE) && shift) {
		uint64_t p = divider_tsc(r, ((divider_ticks(r, now) >> shift) + 1) << shift);

		if (!next || (int64_t)(p - next) < 0)
			next = p;
	}
	if (next && (int64_t)(next - min) < 0)
		next = min;
	vtimer_arm(&r->timer, next);
}

static void rtc_fire(struct vtimer *t, uint64_t now)
{
	struct vdev *d = t->data;
	struct rtc *r = d->priv;

	spin_lock(&r->lock);
	update_flags(d, r, now);
	arm(r, now);
	spin_unlock(&r->lock);
}

static bool uip(const struct rtc *r, uint64_t now)
{
	if (r->b & B_SET)
		return false;
	return since_base(r, now) % r->tsc_hz >= r->tsc_hz - r->tsc_hz / 1000000 * UIP_US;
}

static void write_b(struct rtc *r, uint8_t v, uint64_t now)
{
	if ((v & B_SET) && !(r->b & B_SET)) {
		get_time(r, now, &r->frozen);
		v &= (uint8_t)~B_UIE; /* SET clears UIE */
	} else if (!(v & B_SET) && (r->b & B_SET)) {
		/* The divider chain restarts: the next update is a second away. */
		r->base_secs = time_to_secs(&r->frozen);
		r->base_tsc = now;
		r->last_sec = r->base_secs;
		r->last_tick = 0;
	}
	r->b = v;
}

static uint8_t reg_read(struct vdev *d, struct rtc *r, unsigned reg, uint64_t now)
{
	uint8_t v;

	switch (reg) {
	case REG_ASEC:
	case REG_AMIN:
	case REG_AHOUR:
		return r->ram[reg];
	case REG_A:
		return (uint8_t)(r->a | (uip(r, now) ? A_UIP : 0));
	case REG_B:
		return r->b;
	case REG_C:
		update_flags(d, r, now);
		v = r->c;
		r->c = 0;
		return v;
	case REG_D:
		return D_VRT;
	case REG_CENTURY:
		return read_time_reg(r, reg, now);
	default:
		if (reg <= REG_YEAR)
			return read_time_reg(r, reg, now);
		return r->ram[reg];
	}
}

static void reg_write(struct vdev *d, struct rtc *r, unsigned reg, uint8_t v, uint64_t now)
{
	switch (reg) {
	case REG_ASEC:
	case REG_AMIN:
	case REG_AHOUR:
		r->ram[reg] = v;
		break;
	case REG_A:
		r->a = v & A_RW;
		r->last_tick = divider_ticks(r, now) >> rate_shift(r->a);
		break;
	case REG_B:
		write_b(r, v, now);
		break;
	case REG_C:
	case REG_D:
		break; /* read-only */
	default:
		if (reg > REG_YEAR && reg != REG_CENTURY)
			r->ram[reg] = v;
		else if (!write_time_reg(r, reg, v, now))
			vm_warn(d->vm, "rtc: refused value %#x for register %#x\n", v, reg);
		break;
	}
}

static int rtc_access(struct vdev *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct rtc *r = d->priv;
	uint64_t now;

	if (size != 1 || off >= RTC_LEN) {
		if (!write)
			*val = ~0ull;
		return 0;
	}
	spin_lock(&r->lock);
	now = tsc_read();
	if (off == 0) {
		if (write)
			r->index = (uint8_t)*val & INDEX_MASK;
		else
			*val = 0xff; /* the index register is write-only */
	} else {
		update_flags(d, r, now);
		if (write)
			reg_write(d, r, r->index, (uint8_t)*val, now);
		else
			*val = reg_read(d, r, r->index, now);
		update_flags(d, r, now);
		arm(r, now);
	}
	spin_unlock(&r->lock);
	return 0;
}

/* The host's wall-clock time now, in seconds since 1970. */
static uint64_t host_secs(void)
{
	struct cmos_time h;
	struct rtc_time t;
	int err = cmos_read_time(&h);

	if (!err && (h.year < EPOCH_YEAR || h.year > LAST_YEAR || h.mday > month_days(h.year, h.mon)))
		err = -EIO;
	if (err) {
		pr_warn("cannot read the host clock (error %d): starting at 2000-01-01\n", err);
		h = (struct cmos_time){ .year = 2000, .mon = 1, .mday = 1 };
	}
	t = (struct rtc_time){ h.year, h.mon, h.mday, h.hour, h.min, h.sec };
	return time_to_secs(&t);
}

static void rtc_reset(struct vdev *d)
{
	struct rtc *r = d->priv;
	uint64_t now;

	spin_lock(&r->lock);
	now = tsc_read();
	r->index = 0;
	r->a = 0x26; /* 32.768 kHz divider, 1024 Hz periodic rate */
	r->b = B_24H;
	r->c = 0;
	r->last_sec = now_secs(r, now);
	r->last_tick = divider_ticks(r, now) >> rate_shift(r->a);
	update_flags(d, r, now);
	vtimer_cancel(&r->timer);
	spin_unlock(&r->lock);
}

static int rtc_create(struct vdev *d)
{
	struct vm *vm = d->vm;
	struct rtc *r;
	int err;

	if (!tsc_khz() || !vm->nr_vcpus)
		return -ENODEV;
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	d->priv = r;
	r->lock = (struct spinlock)SPINLOCK_INIT;
	r->tsc_hz = tsc_khz() * 1000;
	r->base_secs = host_secs();
	r->base_tsc = tsc_read();
	rtc_reset(d);
	err = bus_add(&vm->pio, RTC_BASE, RTC_LEN, d, 0);
	if (!err)
		err = vtimer_attach(&r->timer, vm->vcpus[0], rtc_fire, d);
	if (err) {
		vtimer_detach(&r->timer);
		kfree(r);
	}
	return err;
}

static void rtc_destroy(struct vdev *d)
{
	struct rtc *r = d->priv;

	vtimer_detach(&r->timer);
	kfree(r);
}

const struct vdev_ops rtc_ops = {
	.name = "rtc",
	.create = rtc_create,
	.reset = rtc_reset,
	.access = rtc_access,
	.destroy = rtc_destroy,
};
