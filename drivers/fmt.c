// SPDX-License-Identifier: MIT
/* Formatted output without libc (see fmt.h for the supported subset). */
#include <stdbool.h>
#include <stdint.h>

#include "drivers/fmt.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, stored or not */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	bool ptr; /* %p: "0x" always, inside the field width */
	int width, prec; /* prec < 0: none */
	int base;
	bool upper, is_signed;
};

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v, bool neg)
{
	const char *digits = sp->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, total;
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	const char *prefix = sp->base == 16 && (sp->ptr || (sp->alt && v)) ?
			     (sp->upper ? "0X" : "0x") : "";
	int plen = (int)__builtin_strlen(prefix);

	do {
		tmp[n++] = digits[v % (unsigned)sp->base];
		v /= (unsigned)sp->base;
	} while (v);
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	zeros = sp->prec > n ? sp->prec - n : 0;
	/* C99 7.19.6.1: '#' with 'o' raises the precision just enough for a leading 0. */
	if (sp->alt && sp->base == 8 && !zeros && (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;
	total = n + zeros + (sign ? 1 : 0) + plen;
	if (sp->zero && !sp->left && sp->prec < 0)
		zeros += sp->width > total ? sp->width - total : 0, total = sp->width;
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

/* Fetch an integer argument of the given length modifier. */
static uint64_t get_arg(va_list *ap, int lmod, bool is_signed, bool *neg)
{
	int64_t s;
	uint64_t u;

	*neg = false;
	if (is_signed) {
		switch (lmod) {
		case 'H': s = (signed char)va_arg(*ap, int); break;
		case 'h': s = (short)va_arg(*ap, int); break;
		case 'l': s = va_arg(*ap, long); break;
		case 'L': s = va_arg(*ap, long long); break;
		case 'z': case 't': case 'j': s = va_arg(*ap, long); break;
		default: s = va_arg(*ap, int); break;
		}
		if (s < 0) {
			*neg = true;
			return -(uint64_t)s;
		}
		return (uint64_t)s;
	}
	switch (lmod) {
	case 'H': u = (unsigned char)va_arg(*ap, unsigned); break;
	case 'h': u = (unsigned short)va_arg(*ap, unsigned); break;
	case 'l': u = va_arg(*ap, unsigned long); break;
	case 'L': u = va_arg(*ap, unsigned long long); break;
	case 'z': case 't': case 'j': u = va_arg(*ap, unsigned long); break;
	default: u = va_arg(*ap, unsigned); break;
	}
	return u;
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1, .base = 10 };
	for (;; f++) {
		if (*f == '-') sp->left = true;
		else if (*f == '0') sp->zero = true;
		else if (*f == '+') sp->plus = true;
		else if (*f == ' ') sp->space = true;
		else if (*f == '#') sp->alt = true;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0)
			sp->left = true, sp->width = -sp->width;
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	return f;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		struct spec sp;
		int lmod = 0;
		bool neg;
		uint64_t v;

		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		if (*f == 'h')
			lmod = *++f == 'h' ? (f++, 'H') : 'h';
		else if (*f == 'l')
			lmod = *++f == 'l' ? (f++, 'L') : 'l';
		else if (*f == 'z' || *f == 't' || *f == 'j')
			lmod = *f++;
		switch (*f) {
		case 'd': case 'i':
			v = get_arg(&ap, lmod, true, &neg);
			put_num(&o, &sp, v, neg);
			break;
		case 'u': case 'x': case 'X': case 'o':
			sp.base = *f == 'u' ? 10 : *f == 'o' ? 8 : 16;
			sp.upper = *f == 'X';
			sp.plus = sp.space = false; /* signed conversions only */
			v = get_arg(&ap, lmod, false, &neg);
			put_num(&o, &sp, v, false);
			break;
		case 'p':
			sp.base = 16;
			sp.ptr = true;
			put_num(&o, &sp, (uintptr_t)va_arg(ap, void *), false);
			break;
		case 's':
			put_str(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': /* not via put_str: a NUL character is output too */
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, (char)va_arg(ap, int));
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--; /* a lone '%' at the end */
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
