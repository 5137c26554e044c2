// SPDX-License-Identifier: MIT
/*
 * The ACPI fixed-hardware PM registers the FADT describes (vmm/fwtables.h):
 *
 *   port   size  register
 *   0x600  2     PM1a_STS  status, write 1 to clear (TMR_STS, WAK_STS, ...)
 *   0x602  2     PM1a_EN   enables
 *   0x604  2     PM1a_CNT  bit 0 SCI_EN (always 1: no SMM, always ACPI mode),
 *                          bits 12:10 SLP_TYP, bit 13 SLP_EN (write-only)
 *   0x606  2     -         reads 0
 *   0x608  4     PM_TMR    3.579545 MHz, 32 bits (FADT TMR_VAL_EXT), from the TSC
 *
 * Writing SLP_EN with SLP_TYP = FW_S5_SLP_TYP (the DSDT's \_S5) powers the
 * VM off; other sleep states are not supported and only warned about.
 * Nothing raises the SCI yet: there is no power button, no GPE block, and
 * TMR_STS is reported (bit 31 of the timer toggled) but not signalled.
 *
 * Any width at any offset inside the block works: registers are handled
 * byte by byte. ACPI 6.5 "PM1 Event Grouping", "PM1 Control Grouping",
 * "Power Management Timer (PM_TMR)".
 */
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "arch/x86_64/spinlock.h"
#include "arch/x86_64/tsc.h"
#include "vmm/dev/devices.h"
#include "vmm/fwtables.h"
#include "vmm/vm.h"

/* Offsets into the block. */
#define PM1_STS        0x0
#define PM1_EN         0x2
#define PM1_CNT        0x4
#define PM_TMR         0x8

#define STS_TMR        (1u << 0)
#define STS_BM         (1u << 4)
#define STS_GBL        (1u << 5)
#define STS_PWRBTN     (1u << 8)
#define STS_SLPBTN     (1u << 9)
#define STS_RTC        (1u << 10)
#define STS_WAK        (1u << 15)
#define STS_MASK       (STS_TMR | STS_BM | STS_GBL | STS_PWRBTN | STS_SLPBTN | STS_RTC | STS_WAK)
#define EN_MASK        ((1u << 0) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 10))

#define CNT_SCI_EN     (1u << 0)
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP    (7u << CNT_SLP_TYP_SHIFT)
#define CNT_SLP_EN     (1u << 13)
#define CNT_MASK       ((1u << 1) | (1u << 2) | CNT_SLP_TYP) /* BM_RLD, GBL_RLS, SLP_TYP */

#define PM_TMR_HZ      3579545ull
#define PM_TMR_BITS    32
#define SLEEP_WARNINGS 3 /* unsupported sleep requests reported per VM */

struct acpi_pm {
	struct spinlock lock;
	uint16_t sts, en, cnt;
	uint64_t tsc0;       /* the timer counts from here */
	uint64_t tmr_half;   /* timer >> 31 when TMR_STS was last cleared */
	unsigned warnings;
};

/*
 * TSC ticks to PM timer ticks, without overflow for any uptime a VM can
 * have: whole milliseconds and the remainder separately.
 */
static uint64_t pm_ticks(uint64_t tsc, uint64_t khz)
{
	uint64_t ms, rest;

	if (!khz)
		return 0;
	ms = tsc / khz;
	rest = tsc % khz;
	return (ms * PM_TMR_HZ + rest * PM_TMR_HZ / khz) / 1000;
}

static uint64_t pm_now(const struct acpi_pm *s)
{
	return pm_ticks(tsc_read() - s->tsc0, tsc_khz());
}

static void pm_reset_state(struct acpi_pm *s)
{
	s->sts = s->en = 0;
	s->cnt = CNT_SCI_EN;
	s->tsc0 = tsc_read();
	s->tmr_half = 0;
}

static int pm_create(struct vdev *d)
{
	struct acpi_pm *s = kzalloc(sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	pm_reset_state(s);
	d->priv = s;
	err = bus_add(&d->vm->pio, FW_PM_BASE, FW_PM_LEN, d, 0);
	if (err)
		kfree(s);
	return err;
}

static void pm_reset(struct vdev *d)
{
	struct acpi_pm *s = d->priv;

	spin_lock(&s->lock);
	pm_reset_state(s);
	spin_unlock(&s->lock);
}

/* The block as the guest reads it, little-endian, 12 bytes. */
static void pm_image(struct acpi_pm *s, uint8_t img[FW_PM_LEN])
{
	uint64_t t = pm_now(s);
	uint16_t sts = s->sts;
	uint32_t tmr = (uint32_t)t;

	if ((t >> (PM_TMR_BITS - 1)) != s->tmr_half)
		sts |= STS_TMR;
	memset(img, 0, FW_PM_LEN);
	memcpy(img + PM1_STS, &sts, 2);
	memcpy(img + PM1_EN, &s->en, 2);
	memcpy(img + PM1_CNT, &s->cnt, 2); /* SLP_EN is never stored: reads 0 */
	memcpy(img + PM_TMR, &tmr, 4);
}

/* A sleep request (SLP_EN written): S5 powers off, the rest is refused. */
static void pm_sleep(struct vdev *d, struct acpi_pm *s, unsigned typ)
{
	if (typ == FW_S5_SLP_TYP) {
		vm_stop(d->vm, VM_STOP_POWEROFF, "ACPI S5 power-off");
		return;
	}
	if (s->warnings < SLEEP_WARNINGS) {
		s->warnings++;
		vm_warn(d->vm, "ACPI sleep type %u is not supported: ignored\n", typ);
	}
}

/* Apply a write of the bytes [off, off + size) of val; returns SLP_EN's SLP_TYP or -1. */
static int pm_write(struct acpi_pm *s, uint64_t off, unsigned size, uint64_t val)
{
	int sleep = -1;

	for (unsigned i = 0; i < size && off + i < FW_PM_LEN; i++) {
		unsigned at = (unsigned)(off + i), shift = 8 * (at & 1);
		uint16_t byte = (uint16_t)(((val >> (8 * i)) & 0xff) << shift);

		switch (at & ~1u) {
		case PM1_STS:
			s->sts &= (uint16_t)~(byte & STS_MASK);
			if (byte & STS_TMR)
				s->tmr_half = pm_now(s) >> (PM_TMR_BITS - 1);
			break;
		case PM1_EN:
			s->en = (uint16_t)((s->en & ~(0xffu << shift)) | (byte & EN_MASK));
			break;
		case PM1_CNT:
			s->cnt = (uint16_t)((s->cnt & ~(0xffu << shift)) | (byte & CNT_MASK) |
					    CNT_SCI_EN);
			if (byte & CNT_SLP_EN)
				sleep = (s->cnt & CNT_SLP_TYP) >> CNT_SLP_TYP_SHIFT;
			break;
		default: /* reserved bytes and the read-only timer */
			break;
		}
	}
	return sleep;
}

static int pm_access(struct vdev *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct acpi_pm *s = d->priv;
	uint8_t img[FW_PM_LEN];
	int sleep = -1;

	if (off >= FW_PM_LEN || size > FW_PM_LEN - off) {
		if (!write)
			*val = ~0ull;
		return 0;
	}
	spin_lock(&s->lock);
	if (write) {
		sleep = pm_write(s, off, size, *val);
	} else {
		pm_image(s, img);
		*val = 0;
		memcpy(val, img + off, size);
	}
	spin_unlock(&s->lock);
	if (sleep >= 0)
		pm_sleep(d, s, (unsigned)sleep);
	return 0;
}

static void pm_destroy(struct vdev *d)
{
	kfree(d->priv);
}

const struct vdev_ops acpi_pm_ops = {
	.name = "acpi-pm",
	.create = pm_create,
	.reset = pm_reset,
	.access = pm_access,
	.destroy = pm_destroy,
};
