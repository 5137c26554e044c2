// SPDX-License-Identifier: MIT
/*
 * The MMIO instruction emulator, form by form, against the test device's
 * memory-like window: each access must reach the device with the right
 * width and direction (its LAST register says what it saw) and leave the
 * right register, memory and flag state behind.
 */
#include "guest-images/lib/guest.h"

#define MM ((volatile uint8_t *)(uintptr_t)TESTDEV_MMIO_BASE)
#define LAST (*(volatile uint64_t *)(MM + TESTDEV_REG_LAST))
#define ACCESS(size, write, off) ((uint64_t)(size) | (uint64_t)(write) << 8 | (uint64_t)(off) << 16)
#define FLAGS_MASK 0x8d5ull /* OF SF ZF AF PF CF */

static void widths(void)
{
	uint64_t v;

	asm volatile("movb %1, (%0)" : : "r"(MM + 1), "q"((uint8_t)0xa5) : "memory");
	asm volatile("movb (%1), %b0" : "=q"(v) : "r"(MM + 1) : "memory");
	check((uint8_t)v == 0xa5 && LAST == ACCESS(1, 0, 1), "mmio.mov8", "v %lx last %lx", v, LAST);
	asm volatile("movw %1, (%0)" : : "r"(MM + 2), "r"((uint16_t)0xbeef) : "memory");
	check(LAST == ACCESS(2, 1, 2), "mmio.mov16-store", "last %lx", LAST);
	asm volatile("movw (%1), %w0" : "=r"(v) : "r"(MM + 2) : "memory");
	check((uint16_t)v == 0xbeef, "mmio.mov16-load", "v %lx", v);
	v = 0xffffffffffffffffull;
	asm volatile("movl %1, (%0)" : : "r"(MM + 4), "r"(0x12345678u) : "memory");
	asm volatile("movl (%1), %k0" : "+r"(v) : "r"(MM + 4) : "memory");
	check(v == 0x12345678u && LAST == ACCESS(4, 0, 4), "mmio.mov32-zero-extends", "v %lx", v);
	asm volatile("movq %1, (%0)" : : "r"(MM + 8), "r"(0x0123456789abcdefull) : "memory");
	asm volatile("movq (%1), %0" : "=r"(v) : "r"(MM + 8) : "memory");
	check(v == 0x0123456789abcdefull && LAST == ACCESS(8, 0, 8), "mmio.mov64", "v %lx", v);
}

static void registers(void)
{
	uint64_t v;

	{
		register uint64_t r9 asm("r9") = 0x1111222233334444ull;
		register uint64_t r12 asm("r12");

		asm volatile("movq %1, 16(%2); movq 16(%2), %0" : "=r"(r12) : "r"(r9), "r"(MM) : "memory");
		check(r12 == 0x1111222233334444ull, "mmio.rex-r9-r12", "v %lx", r12);
	}
	{
		uint64_t rax = 0xab00;

		asm volatile("movb %%ah, 24(%1)" : : "a"(rax), "r"(MM) : "memory");
		check(MM[24] == 0xab, "mmio.store-ah", "v %x", MM[24]);
	}
	{
		register uint64_t sil asm("rsi") = 0x77;

		asm volatile("movb %b0, 25(%1)" : : "r"(sil), "r"(MM) : "memory");
		check(MM[25] == 0x77, "mmio.store-sil-rex", "v %x", MM[25]);
	}
	v = 0x1122334455667788ull;
	*(volatile uint16_t *)(MM + 26) = 0xcdef;
	asm volatile("movw 26(%1), %w0" : "+r"(v) : "r"(MM) : "memory");
	check(v == 0x112233445566cdefull, "mmio.mov16-merges", "v %lx", v);
}

static void immediates_and_moffs(void)
{
	uint64_t v;

	asm volatile("movb $0x42, 32(%0)" : : "r"(MM) : "memory");
	asm volatile("movw $0x4243, 34(%0)" : : "r"(MM) : "memory");
	asm volatile("movl $0x44454647, 36(%0)" : : "r"(MM) : "memory");
	asm volatile("movq $-2, 40(%0)" : : "r"(MM) : "memory");
	check(MM[32] == 0x42 && *(volatile uint16_t *)(MM + 34) == 0x4243 &&
		      *(volatile uint32_t *)(MM + 36) == 0x44454647 &&
		      *(volatile uint64_t *)(MM + 40) == 0xfffffffffffffffeull,
	      "mmio.mov-imm", "q %lx", *(volatile uint64_t *)(MM + 40));
	/* moffs forms take a literal address: TESTDEV_MMIO_BASE is 0xfeb00000 */
	_Static_assert(TESTDEV_MMIO_BASE == 0xfeb00000u, "literal addresses below");
	asm volatile("movabsq %%rax, 0xfeb00030" : : "a"(0x5566778899aabbccull) : "memory");
	asm volatile("movabsl 0xfeb00030, %%eax" : "=a"(v) : : "memory");
	check(v == 0x99aabbcc, "mmio.moffs", "v %lx", v);
	asm volatile("movabsb 0xfeb00037, %%al" : "=a"(v) : "0"(0ull) : "memory");
	check(v == 0x55 && LAST == ACCESS(1, 0, 55), "mmio.moffs8", "v %lx", v);
}

static void extensions(void)
{
	uint64_t v;

	*(volatile uint8_t *)(MM + 64) = 0x80;
	*(volatile uint16_t *)(MM + 66) = 0x8001;
	*(volatile uint32_t *)(MM + 68) = 0x80000001u;
	asm volatile("movzbq 64(%1), %0" : "=r"(v) : "r"(MM) : "memory");
	check(v == 0x80, "mmio.movzx8", "v %lx", v);
	asm volatile("movzwl 66(%1), %k0" : "=r"(v) : "r"(MM) : "memory");
	check(v == 0x8001, "mmio.movzx16", "v %lx", v);
	asm volatile("movsbq 64(%1), %0" : "=r"(v) : "r"(MM) : "memory");
	check(v == 0xffffffffffffff80ull, "mmio.movsx8", "v %lx", v);
	asm volatile("movswq 66(%1), %0" : "=r"(v) : "r"(MM) : "memory");
	check(v == 0xffffffffffff8001ull, "mmio.movsx16", "v %lx", v);
	asm volatile("movslq 68(%1), %0" : "=r"(v) : "r"(MM) : "memory");
	check(v == 0xffffffff80000001ull && LAST == ACCESS(4, 0, 68), "mmio.movsxd", "v %lx", v);
}

static void strings(void)
{
	static uint64_t ram[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static uint64_t back[8];
	const void *src;
	void *dst;
	uint64_t n, last;

	dst = (void *)(MM + 0x100);
	n = 16;
	asm volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(0xdeadbeefu) : "memory");
	last = LAST; /* before reading back, which is an access too */
	check(n == 0 && last == ACCESS(4, 1, 0x13c) &&
		      *(volatile uint32_t *)(MM + 0x13c) == 0xdeadbeefu,
	      "mmio.rep-stos32", "n %lu last %lx", n, last);
	dst = (void *)(MM + 0x140);
	asm volatile("stosb" : "+D"(dst) : "a"(0x99) : "memory");
	check(MM[0x140] == 0x99 && dst == (void *)(MM + 0x141), "mmio.stos8", "v %x", MM[0x140]);
	src = ram, dst = (void *)(MM + 0x200), n = 8;
	asm volatile("rep movsq" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	check(n == 0 && *(volatile uint64_t *)(MM + 0x238) == 8, "mmio.rep-movs-ram-to-mmio",
	      "n %lu", n);
	src = (const void *)(MM + 0x200), dst = back, n = 8;
	asm volatile("rep movsq" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	check(n == 0 && !memcmp(back, ram, sizeof(ram)), "mmio.rep-movs-mmio-to-ram", "back %lx",
	      back[7]);
	src = (const void *)(MM + 0x23f), dst = (uint8_t *)back + 63, n = 64;
	asm volatile("std; rep movsb; cld" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	check(n == 0 && !memcmp(back, ram, sizeof(ram)) && src == (const void *)(MM + 0x1ff),
	      "mmio.rep-movsb-backwards", "n %lu", n);
	src = (const void *)(MM + 0x208), dst = back;
	asm volatile("movsw" : "+S"(src), "+D"(dst) : : "memory");
	check(back[0] == 2 && LAST == ACCESS(2, 0, 0x208), "mmio.movs16", "v %lx", back[0]);
}

static void alu(void)
{
	volatile uint32_t *r = (volatile uint32_t *)(MM + 0x300);
	uint64_t flags;
	uint8_t zf;

	*r = 0xf0f0f0f0u;
	asm volatile("orl $0x0f, (%0)" : : "r"(r) : "memory");
	check(*r == 0xf0f0f0ffu, "mmio.or-imm8", "v %x", *r);
	asm volatile("andl %1, (%0)" : : "r"(r), "r"(0x00ffff00u) : "memory");
	check(*r == 0x00f0f000u, "mmio.and-reg", "v %x", *r);
	asm volatile("xorb $0xff, 1(%0)" : : "r"(r) : "memory");
	check(*r == 0x00f00f00u, "mmio.xor8", "v %x", *r);
	asm volatile("addl $0x100, (%[p]); pushfq; popq %[f]" : [f] "=&r"(flags) : [p] "r"(r) : "memory");
	check(*r == 0x00f01000u && !(flags & 1), "mmio.add", "v %x", *r);
	asm volatile("subl $0x00f01001, (%[p]); pushfq; popq %[f]" : [f] "=&r"(flags) : [p] "r"(r) : "memory");
	check(*r == 0xffffffffu && (flags & 1) && (flags & 0x80), "mmio.sub-borrow-sign",
	      "v %x flags %lx", *r, flags);
	asm volatile("cmpl $-1, (%1); setz %0" : "=q"(zf) : "r"(r) : "memory");
	check(zf && LAST == ACCESS(4, 0, 0x300), "mmio.cmp", "zf %u last %lx", zf, LAST);
	asm volatile("testb $0x80, 3(%1); setnz %0" : "=q"(zf) : "r"(r) : "memory");
	check(zf, "mmio.test", "zf %u", zf);
	{
		uint64_t v = 0x1234;

		asm volatile("xchgq %0, 8(%1)" : "+r"(v) : "r"(r) : "memory");
		asm volatile("xchgq %0, 8(%1)" : "+r"(v) : "r"(r) : "memory");
		check(v == 0x1234 && LAST == ACCESS(8, 1, 0x308), "mmio.xchg", "v %lx", v);
	}
}

int main(void);
int main(void)
{
	uint64_t count0 = *(volatile uint64_t *)(MM + TESTDEV_REG_COUNT);

	widths();
	registers();
	immediates_and_moffs();
	extensions();
	strings();
	alu();
	guest_printf("test device saw %lu accesses\n",
		     *(volatile uint64_t *)(MM + TESTDEV_REG_COUNT) - count0);
	return guest_failures != 0;
}
