// SPDX-License-Identifier: MIT
/* The hypercall ABI of include/basalt/hypercall.h, and VMX instructions (#UD). */
#include "guest-images/lib/guest.h"

static void do_vmxon(void *arg)
{
	uint64_t region = 0x200000;

	(void)arg;
	asm volatile("vmxon %0" : : "m"(region));
}

static void do_vmread(void *arg)
{
	uint64_t v, f = 0x681e;

	(void)arg;
	asm volatile("vmread %1, %0" : "=r"(v) : "r"(f));
}

int main(void);
int main(void)
{
	static const char msg[] = "hello through HC_CONSOLE_WRITE\n";
	long r;

	check(hypercall(HC_NOP, 0, 0, 0) == 0, "vmcall.nop", "nonzero");
	r = hypercall(HC_CONSOLE_WRITE, (long)msg, sizeof(msg) - 1, 0);
	check(r == (long)sizeof(msg) - 1, "vmcall.console-write", "returned %ld", r);
	r = hypercall(HC_CONSOLE_WRITE, 0x7ffff000, 64, 0);
	check(r == -14, "vmcall.console-bad-buffer-efault", "returned %ld", r);
	r = hypercall(HC_CONSOLE_WRITE, (long)msg, HC_CONSOLE_MAX + 1, 0);
	check(r == -7, "vmcall.console-too-long-e2big", "returned %ld", r);
	r = hypercall(HC_TEST_VERDICT, 0, (long)"vmcall.verdict-hypercall", 0);
	check(r == 0, "vmcall.verdict-returns-0", "returned %ld", r);
	check(hypercall(12345, 0, 0, 0) == -38, "vmcall.unknown-enosys", "wrong");
	check(catch_exception(do_vmxon, 0) == 6, "vmcall.vmxon-ud", "no #UD");
	check(catch_exception(do_vmread, 0) == 6, "vmcall.vmread-ud", "no #UD");
	return guest_failures != 0;
}
