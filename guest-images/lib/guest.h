/* SPDX-License-Identifier: MIT */
/*
 * The small runtime of Basalt's 64-bit test guests: console output through
 * the debug port, verdict lines, exception catching, hypercalls.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/basalt/hypercall.h"
#include "include/basalt/testdev.h"

void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PASS: name" or "FAIL: name (details)"; count failures. */
void check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern unsigned guest_failures;

/*
 * Run fn(arg) and report the exception vector it raised, or -1 if none.
 * The faulting instruction is skipped by resuming at the end of fn.
 */
int catch_exception(void (*fn)(void *), void *arg);

/* Point IDT vector at handler (an interrupt gate; vectors 0-31 are taken). */
void idt_set_gate(unsigned vector, uint64_t handler);

static inline long hypercall(long nr, long a0, long a1, long a2)
{
	long ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "memory");
	return ret;
}

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
