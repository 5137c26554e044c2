// SPDX-License-Identifier: MIT
/*
 * A stand-in core for the UEFI loader's tests (tests/boot/qemu-uefi-*.sh).
 *
 * Entered by BOOTX64.EFI exactly like the real core (include/basalt/
 * boot_info.h): %rdi = &boot_info, interrupts off, firmware page tables.
 * It checks the hand-off, prints what it received on COM1 as
 * "stub: ..." lines, ends with "stub: verdict PASS" (or "FAIL: N problems")
 * and powers QEMU off through isa-debug-exit; elsewhere it halts.
 */
#include <stdint.h>

#include "include/basalt/boot_info.h"

#define COM1          0x3f8
#define COM1_LSR      (COM1 + 5)
#define LSR_THR_EMPTY 0x20
#define DEBUG_EXIT    0xf4
#define RFLAGS_IF     (1u << 9)
#define PAGE_MASK     0xfffull
#define BSS_CHECK     (64 * 1024) /* bytes of .bss that must arrive zeroed */

void stub_entry(struct boot_info *bi) __attribute__((noreturn));

extern char __executable_start[], _end[];

static volatile unsigned char zeroed[BSS_CHECK]; /* never written */
static unsigned problems;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_serial(char c)
{
	if (c == '\n')
		putc_serial('\r');
	while (!(inb(COM1_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1, (uint8_t)c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_serial(&buf[i]);
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_serial(&buf[i]);
}

static void check(int ok, const char *what)
{
	if (ok)
		return;
	problems++;
	puts_serial("stub: problem: ");
	puts_serial(what);
	putc_serial('\n');
}

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/* 1 when [base, base + len) lies inside one usable region. */
static int in_usable(const struct boot_info *bi, uint64_t base, uint64_t len)
{
	for (uint32_t i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		if (r->type == BOOT_MEM_USABLE && base >= r->base &&
		    base + len <= r->base + r->len)
			return 1;
	}
	return 0;
}

static void check_memory_map(const struct boot_info *bi)
{
	check(bi->nr_mem > 0 && bi->nr_mem <= BOOT_MAX_MEM, "nr_mem out of range");
	for (uint32_t i = 0; i < bi->nr_mem && i < BOOT_MAX_MEM; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		puts_serial("stub: mem ");
		put_hex(r->base);
		puts_serial("-");
		put_hex(r->base + r->len - 1);
		puts_serial(" type ");
		put_dec(r->type);
		putc_serial('\n');
		check(r->len > 0, "empty memory region");
		check(r->type >= BOOT_MEM_USABLE && r->type <= BOOT_MEM_BAD, "bad region type");
		if (i == 0)
			continue;
		check(r->base >= r[-1].base + r[-1].len, "regions unsorted or overlapping");
		check(r->base != r[-1].base + r[-1].len || r->type != r[-1].type,
		      "adjacent regions of one type not merged");
	}
}

static void check_modules(const struct boot_info *bi)
{
	check(bi->nr_modules <= BOOT_MAX_MODULES, "nr_modules out of range");
	for (uint32_t i = 0; i < bi->nr_modules && i < BOOT_MAX_MODULES; i++) {
		const struct boot_module *m = &bi->modules[i];
		const unsigned char *p = (const unsigned char *)m->base;
		uint32_t sum = 0;

		for (uint64_t k = 0; k < m->len; k++)
			sum += p[k];
		puts_serial("stub: module ");
		put_dec(i);
		puts_serial(" len ");
		put_dec(m->len);
		puts_serial(" sum ");
		put_dec(sum);
		puts_serial(" name [");
		puts_serial(m->name);
		puts_serial("]\n");
		check(m->base && !(m->base & PAGE_MASK), "module not page aligned");
		check(m->base + m->len <= 0x100000000ull, "module above 4 GiB");
		check(in_usable(bi, m->base, m->len), "module not in usable memory");
	}
}

static void check_rest(const struct boot_info *bi)
{
	uint64_t image = (uint64_t)__executable_start;
	uint64_t rflags;
	int bss_ok = 1;

	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	check(!(rflags & RFLAGS_IF), "interrupts enabled at entry");
	check(in_usable(bi, image, (uint64_t)_end - image), "core image not in usable memory");
	check(in_usable(bi, (uint64_t)bi, sizeof(*bi)), "boot_info not in usable memory");
	for (unsigned i = 0; i < BSS_CHECK; i++)
		bss_ok &= zeroed[i] == 0;
	check(bss_ok, ".bss not zeroed");
	if (bi->rsdp)
		check(starts_with((const char *)bi->rsdp, "RSD PTR "), "rsdp has no signature");
	puts_serial("stub: rsdp ");
	put_hex(bi->rsdp);
	puts_serial(" fb ");
	put_hex(bi->fb.base);
	puts_serial(" ");
	put_dec(bi->fb.width);
	puts_serial("x");
	put_dec(bi->fb.height);
	puts_serial(" pitch ");
	put_dec(bi->fb.pitch);
	puts_serial("\n");
}

void stub_entry(struct boot_info *bi)
{
	uint64_t addr = (uint64_t)bi;

	puts_serial("\nstub: entered, boot_info ");
	put_hex(addr);
	putc_serial('\n');
	check(addr && !(addr & PAGE_MASK) && addr < 0x100000000ull,
	      "boot_info not page aligned below 4 GiB");
	if (!problems && bi->magic == BOOT_INFO_MAGIC && bi->version == BOOT_INFO_VERSION) {
		check(bi->source == BOOT_SRC_UEFI, "source is not BOOT_SRC_UEFI");
		check(starts_with(bi->loader, "basalt-efi "), "loader name");
		puts_serial("stub: loader [");
		puts_serial(bi->loader);
		puts_serial("] cmdline [");
		puts_serial(bi->cmdline);
		puts_serial("]\n");
		check_memory_map(bi);
		check_modules(bi);
		check_rest(bi);
	} else {
		check(0, "bad magic or version");
	}
	if (problems) {
		puts_serial("stub: verdict FAIL: ");
		put_dec(problems);
		puts_serial(" problems\n");
	} else {
		puts_serial("stub: verdict PASS\n");
	}
	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)(problems ? 3 : 1)), "Nd"(DEBUG_EXIT));
	for (;;)
		__asm__ volatile("hlt");
}
