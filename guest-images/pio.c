// SPDX-License-Identifier: MIT
/* Port I/O to the test device: every width, string forms, unclaimed ports. */
#include "guest-images/lib/guest.h"

/*
 * A string OUT from a page that is not present: the hypervisor walks the
 * guest's tables, finds it absent and injects #PF with error code 0 (a
 * supervisor read of a not-present page) and CR2 = the address.
 */
#define HOLE 0x800000ull         /* a 2 MiB page of the loader's identity map */
#define LOADER_PD 0x3000ull      /* vmm/loader.h: PML4 0x1000, PDPT 0x2000, PDs 0x3000 */

static void outs_from_hole(void *arg)
{
	const void *src = (const void *)HOLE;
	uint64_t n = 1;

	(void)arg;
	asm volatile("rep outsb" : "+S"(src), "+c"(n) : "d"((uint16_t)TESTDEV_PIO) : "memory");
}

static void string_io_page_fault(void)
{
	volatile uint64_t *pde = (volatile uint64_t *)(LOADER_PD + 8 * (HOLE >> 21));
	uint64_t saved = *pde, cr2;
	int vector;

	*pde = 0;
	asm volatile("invlpg (%0)" : : "r"(HOLE) : "memory");
	vector = catch_exception(outs_from_hole, 0);
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	*pde = saved;
	asm volatile("invlpg (%0)" : : "r"(HOLE) : "memory");
	check(vector == 14 && cr2 == HOLE, "pio.string-from-absent-page-pf", "vector %d cr2 %lx",
	      vector, cr2);
}

int main(void);
int main(void)
{
	uint8_t buf[8], back[8];

	outb(TESTDEV_PIO, 0x5a);
	check(inb(TESTDEV_PIO) == 0x5a, "pio.byte", "read %x", inb(TESTDEV_PIO));
	outw(TESTDEV_PIO + 2, 0xbeef);
	check(inw(TESTDEV_PIO + 2) == 0xbeef, "pio.word", "read %x", inw(TESTDEV_PIO + 2));
	outl(TESTDEV_PIO + 4, 0xcafef00d);
	check(inl(TESTDEV_PIO + 4) == 0xcafef00d, "pio.dword", "read %x", inl(TESTDEV_PIO + 4));
	check(inb(TESTDEV_PIO + 3) == 0xbe, "pio.byte-of-word", "read %x", inb(TESTDEV_PIO + 3));
	check(inb(0x3e0) == 0xff && inw(0x3e0) == 0xffff && inl(0x3e0) == 0xffffffffu,
	      "pio.unclaimed-reads-ones", "read %x", inl(0x3e0));
	{
		uint64_t rax = 0x1122334455667788ull;

		asm volatile("inl %w1, %k0" : "+a"(rax) : "Nd"((uint16_t)(TESTDEV_PIO + 4)));
		check(rax == 0xcafef00d, "pio.in32-zero-extends", "rax %lx", rax);
		rax = 0x1122334455667788ull;
		asm volatile("inb %w1, %b0" : "+a"(rax) : "Nd"((uint16_t)TESTDEV_PIO));
		check(rax == 0x112233445566775aull, "pio.in8-merges", "rax %lx", rax);
	}
	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)(0xa0 + i);
	{
		const uint8_t *src = buf;
		uint64_t n = 1;

		/* rep outsb one byte at a time into the scratch byte 0 */
		asm volatile("rep outsb" : "+S"(src), "+c"(n) : "d"((uint16_t)TESTDEV_PIO) : "memory");
		check(inb(TESTDEV_PIO) == 0xa0 && src == buf + 1 && n == 0, "pio.rep-outsb",
		      "read %x", inb(TESTDEV_PIO));
	}
	{
		uint8_t *dst = back;
		uint64_t n = 4;

		outl(TESTDEV_PIO, 0x44332211);
		asm volatile("rep insw" : "+D"(dst), "+c"(n) : "d"((uint16_t)TESTDEV_PIO) : "memory");
		check(n == 0 && dst == back + 8 && back[0] == 0x11 && back[1] == 0x22 &&
			      back[6] == 0x11 && back[7] == 0x22,
		      "pio.rep-insw", "back %x %x", back[0], back[7]);
	}
	string_io_page_fault();
	return guest_failures != 0;
}
