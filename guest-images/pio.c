// SPDX-License-Identifier: MIT
/* Port I/O to the test device: every width, string forms, unclaimed ports. */
#include "guest-images/lib/guest.h"

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
	return guest_failures != 0;
}
