// SPDX-License-Identifier: MIT
/*
 * Leveled console output to a list of sinks. A line is formatted into a
 * per-call buffer first and written under one lock, so lines from
 * different CPUs never interleave.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/spinlock.h"
#include "arch/x86_64/tsc.h"
#include "drivers/console.h"
#include "drivers/fmt.h"

#define LINE_MAX 512

static struct console_sink *sinks;
static struct spinlock console_lock = SPINLOCK_INIT;
static int cur_level = LOG_INFO;

static const char *const level_tag[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "",
};

void console_register(struct console_sink *sink)
{
	uint64_t f = spin_lock_irqsave(&console_lock);

	sink->next = sinks;
	sinks = sink;
	spin_unlock_irqrestore(&console_lock, f);
}

void console_set_level(int level)
{
	if (level >= LOG_ERR && level <= LOG_DEBUG)
		cur_level = level;
}

int console_level(void)
{
	return cur_level;
}

int console_parse_level(const char *s)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };

	for (int i = 0; i <= LOG_DEBUG; i++)
		if (!strcmp(s, names[i]))
			return i;
	if (s[0] >= '0' && s[0] <= '0' + LOG_DEBUG && !s[1])
		return s[0] - '0';
	return -1;
}

static void write_locked(const char *buf, unsigned long len)
{
	for (struct console_sink *s = sinks; s; s = s->next)
		s->write(buf, len);
}

void console_write(const char *buf, unsigned long len)
{
	uint64_t f = spin_lock_irqsave(&console_lock);

	write_locked(buf, len);
	spin_unlock_irqrestore(&console_lock, f);
}

void console_printf(const char *fmt, ...)
{
	char line[LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_write(line, n < LINE_MAX ? (unsigned long)n : LINE_MAX - 1);
}

void console_vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	char line[LINE_MAX];
	uint64_t ns = tsc_ns_since_boot();
	size_t n;

	if (level > cur_level)
		return;
	n = (size_t)fmt_snprintf(line, sizeof(line), "[%5lu.%06lu] %s%s%s",
				 (unsigned long)(ns / 1000000000),
				 (unsigned long)(ns / 1000 % 1000000),
				 prefix ? prefix : "", prefix ? ": " : "",
				 level_tag[level]);
	if (n < sizeof(line))
		n += (size_t)fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n >= sizeof(line) - 1) { /* truncated: still end the line */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	console_write(line, n);
}

void console_log(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog(level, prefix, fmt, ap);
	va_end(ap);
}

/*
 * For the panic path: another CPU may have died holding the lock. Take it
 * if it comes free soon, otherwise write anyway; a garbled line beats a
 * silent hang.
 */
void console_emergency_write(const char *buf, unsigned long len)
{
	for (int i = 0; i < 1000000; i++) {
		if (console_lock.next == console_lock.owner) {
			uint64_t f = spin_lock_irqsave(&console_lock);

			write_locked(buf, len);
			spin_unlock_irqrestore(&console_lock, f);
			return;
		}
		cpu_relax();
	}
	write_locked(buf, len);
}
