/* SPDX-License-Identifier: MIT */
/*
 * The host's MC146818-compatible CMOS clock (ports 0x70/0x71), read once
 * so that emulated RTCs can start at the host's wall-clock time.
 */
#ifndef ARCH_CMOS_H
#define ARCH_CMOS_H

#include <stdint.h>

/* Binary, 24-hour broken-down time. */
struct cmos_time {
	unsigned year; /* full year, e.g. 2024 */
	unsigned mon;  /* 1-12 */
	unsigned mday; /* 1-31 */
	unsigned hour, min, sec;
};

/*
 * Read the host's clock (any CPU, process context; serialised inside).
 * 0, or -ETIMEDOUT if the clock never leaves its update cycle, or -EIO if
 * it reads back out-of-range values.
 */
int cmos_read_time(struct cmos_time *t);

#endif
