// SPDX-License-Identifier: MIT
/* vmm/dev/acpi_pm.c: PM1 registers, the PM timer's rate, S5 power-off. */
#include <stdarg.h>
#include <stdlib.h>

#include "vmm/dev/acpi_pm.c"
#include "tests/unit/unit.h"

static uint64_t fake_tsc, fake_khz = 2000000; /* a 2 GHz TSC */
static int stops;
static enum vm_stop_kind stop_kind;
static char stop_reason[96];
static int warnings;

uint64_t tsc_read(void) { return fake_tsc; }
uint64_t tsc_khz(void) { return fake_khz; }
void *kzalloc(size_t size) { return calloc(1, size); }
void kfree(void *p) { free(p); }

int bus_add(struct bus *b, uint64_t base, uint64_t len, struct vdev *dev, uint64_t off)
{
	(void)b, (void)dev, (void)off;
	return base == FW_PM_BASE && len == FW_PM_LEN ? 0 : -EINVAL;
}

void vm_stop(struct vm *vm, enum vm_stop_kind kind, const char *fmt, ...)
{
	va_list ap;

	(void)vm;
	stops++;
	stop_kind = kind;
	va_start(ap, fmt);
	vsnprintf(stop_reason, sizeof(stop_reason), fmt, ap);
	va_end(ap);
}

void vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	(void)vm, (void)level, (void)fmt;
	warnings++;
}

static struct vm vm;
static struct vdev dev = { .ops = &acpi_pm_ops, .vm = &vm };

static uint64_t rd(unsigned port, unsigned size)
{
	uint64_t v = 0xdeadbeef;

	CHECK_EQ_I(acpi_pm_ops.access(&dev, port - FW_PM_BASE, size, false, &v), 0);
	return v;
}

static void wr(unsigned port, unsigned size, uint64_t v)
{
	CHECK_EQ_I(acpi_pm_ops.access(&dev, port - FW_PM_BASE, size, true, &v), 0);
}

static void setup(void)
{
	fake_tsc = 1000;
	stops = warnings = 0;
	if (!dev.priv)
		CHECK_EQ_I(acpi_pm_ops.create(&dev), 0);
	acpi_pm_ops.reset(&dev);
}

TEST(sci_en_always_set)
{
	setup();
	CHECK_EQ_U(rd(FW_PM1A_CNT, 2), 1);
	wr(FW_PM1A_CNT, 2, 0);
	CHECK_EQ_U(rd(FW_PM1A_CNT, 2), 1);
	wr(FW_PM1A_CNT, 2, 3u << 10); /* SLP_TYP without SLP_EN: stored, nothing happens */
	CHECK_EQ_U(rd(FW_PM1A_CNT, 2), 3u << 10 | 1);
	CHECK_EQ_I(stops, 0);
}

TEST(s5_powers_off)
{
	setup();
	wr(FW_PM1A_CNT, 2, FW_S5_SLP_TYP << 10 | 1u << 13);
	CHECK_EQ_I(stops, 1);
	CHECK_EQ_U(stop_kind, VM_STOP_POWEROFF);
	CHECK_STR(stop_reason, "ACPI S5 power-off");
}

TEST(s5_by_high_byte)
{
	setup();
	wr(FW_PM1A_CNT + 1, 1, (FW_S5_SLP_TYP << 2) | (1u << 5));
	CHECK_EQ_I(stops, 1);
}

TEST(other_sleep_types_warn_limited)
{
	setup();
	for (int i = 0; i < 10; i++)
		wr(FW_PM1A_CNT, 2, 1u << 10 | 1u << 13);
	CHECK_EQ_I(stops, 0);
	CHECK_EQ_I(warnings, SLEEP_WARNINGS);
	CHECK_EQ_U(rd(FW_PM1A_CNT, 2) & (1u << 13), 0); /* SLP_EN reads 0 */
}

TEST(pm1_en_and_sts)
{
	setup();
	wr(FW_PM1A_EVT + 2, 2, 0xffff);
	CHECK_EQ_U(rd(FW_PM1A_EVT + 2, 2), EN_MASK);
	CHECK_EQ_U(rd(FW_PM1A_EVT, 4), (uint64_t)EN_MASK << 16);
	wr(FW_PM1A_EVT, 2, 0xffff); /* write-1-to-clear: nothing set */
	CHECK_EQ_U(rd(FW_PM1A_EVT, 2), 0);
	CHECK_EQ_U(rd(FW_PM_BASE + 6, 2), 0);
	CHECK_EQ_U(rd(FW_PM_BASE + 11, 2), ~0ull); /* beyond the block */
}

TEST(timer_rate)
{
	setup();
	CHECK_EQ_U(rd(FW_PM_TMR, 4), 0);
	fake_tsc += fake_khz * 1000; /* one second */
	CHECK_EQ_U(rd(FW_PM_TMR, 4), 3579545);
	fake_tsc += fake_khz / 2; /* half a millisecond more */
	CHECK_EQ_U(rd(FW_PM_TMR, 4), 3579545 + 1789);
	wr(FW_PM_TMR, 4, 0); /* read-only */
	CHECK_EQ_U(rd(FW_PM_TMR, 4), 3579545 + 1789);
	CHECK_EQ_U(rd(FW_PM_TMR + 2, 2), (3579545 + 1789) >> 16);
}

TEST(timer_wraps_and_tmr_sts)
{
	uint64_t one_s = fake_khz * 1000;

	setup();
	fake_tsc += one_s * 600; /* 600 s: 2147727000 ticks, past bit 31 */
	CHECK_EQ_U(rd(FW_PM_TMR, 4), 2147727000u);
	CHECK_EQ_U(rd(FW_PM1A_EVT, 2) & 1, 1);
	wr(FW_PM1A_EVT, 2, 1);
	CHECK_EQ_U(rd(FW_PM1A_EVT, 2) & 1, 0);
	fake_tsc += one_s * 1200; /* 6443181000 ticks in all: wrapped */
	CHECK_EQ_U(rd(FW_PM_TMR, 4), (uint32_t)6443181000ull);
	CHECK_EQ_U(rd(FW_PM1A_EVT, 2) & 1, 1);
	/* a year of uptime converts without overflow */
	CHECK_EQ_U(pm_ticks(one_s * 86400 * 365, fake_khz), 3579545ull * 86400 * 365);
}
