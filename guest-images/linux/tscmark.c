// SPDX-License-Identifier: MIT
/*
 * /bin/tscmark in the guest's initramfs: print "BASALT-LINUX-INIT tsc=N",
 * the time stamp counter when /init runs. Basalt's guests read the host's
 * TSC unchanged, and Bochs's TSC counts instructions, so N is a
 * deterministic tick count that make bench compares between a boot under
 * Basalt and a native one. No libc: two system calls.
 */
static long sys3(long nr, long a, long b, long c)
{
	long r;

	asm volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

void _start(void);
void _start(void)
{
	static const char head[] = "BASALT-LINUX-INIT tsc=";
	char buf[64], digits[24];
	unsigned lo, hi, n = 0, k = 0;
	unsigned long tsc;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	tsc = (unsigned long)hi << 32 | lo;
	for (const char *p = head; *p; p++)
		buf[n++] = *p;
	do
		digits[k++] = (char)('0' + tsc % 10);
	while ((tsc /= 10) && k < sizeof(digits));
	while (k)
		buf[n++] = digits[--k];
	buf[n++] = '\n';
	sys3(1, 1, (long)buf, n);   /* write(1, buf, n) */
	sys3(60, 0, 0, 0);          /* exit(0) */
	for (;;)
		;
}
