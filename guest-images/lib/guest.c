// SPDX-License-Identifier: MIT
/* Runtime of the 64-bit test guests (see guest.h). */
#include <stdarg.h>

#include "guest-images/lib/guest.h"

unsigned guest_failures;
static volatile int print_lock; /* vCPUs of one VM share the console port */

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause");
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t exc_stubs[32];

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

static void putc_(char c)
{
	outb(DEBUGCON_PORT, (uint8_t)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void put_num(uint64_t v, unsigned base, int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		putc_(pad);
	while (n)
		putc_(buf[--n]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0;
		char pad = ' ';
		bool lng = false;

		if (*fmt != '%') {
			putc_(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			lng = true, fmt++;
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);

			if (v < 0)
				putc_('-'), v = -v;
			put_num((uint64_t)v, 10, width, pad);
			break;
		}
		case 'u': put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad); break;
		case 'x': put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad); break;
		case 's': for (const char *s = va_arg(ap, const char *); *s; s++) putc_(*s); break;
		case 'c': putc_((char)va_arg(ap, int)); break;
		default: putc_('%'); putc_(*fmt); break;
		}
	}
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	lock();
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	unlock();
}

void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	lock();
	puts_(ok ? "PASS: " : "FAIL: ");
	puts_(name);
	if (!ok) {
		__atomic_add_fetch(&guest_failures, 1, __ATOMIC_SEQ_CST);
		va_start(ap, fmt);
		putc_(' ');
		putc_('(');
		vprint(fmt, ap);
		putc_(')');
		va_end(ap);
	}
	putc_('\n');
	unlock();
}

void guest_unexpected_exception(uint64_t vector, uint64_t rip, uint64_t error);
void guest_unexpected_exception(uint64_t vector, uint64_t rip, uint64_t error)
{
	guest_printf("FAIL: unexpected exception %lu at %lx (error %lx)\n", vector, rip, error);
	hypercall(HC_POWEROFF, 1, 0, 0);
	for (;;)
		asm volatile("cli; hlt");
}

void idt_set_gate(unsigned vector, uint64_t handler)
{
	idt[vector & 0xff] = (struct idt_gate){ (uint16_t)handler, 0x08, 0, 0x8e,
						(uint16_t)(handler >> 16),
						(uint32_t)(handler >> 32), 0 };
}

void guest_init(void);
void guest_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned v = 0; v < 32; v++)
		idt_set_gate(v, exc_stubs[v]);
	asm volatile("lidt %0" : : "m"(idtr));
}
