// SPDX-License-Identifier: MIT
#define pr_fmt "selftest"
#include <stdint.h>

#include "arch/x86_64/lib/cmdline.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/selftest.h"
#include "drivers/console.h"

static uint8_t nx_probe[16] = { 0xc3 }; /* "ret", in a data page */
/* Hidden from the optimizer so the NULL read is really emitted. */
static volatile uintptr_t null_addr = 8;

void selftest_run(const char *cmdline)
{
	char name[32];

	if (!cmdline_get(cmdline, "selftest", name, sizeof(name)))
		return;
	pr_info("running %s: expect an exception report and a stop\n", name);
	if (!strcmp(name, "pagefault")) {
		(void)*(volatile uint64_t *)null_addr;
	} else if (!strcmp(name, "ud")) {
		asm volatile("ud2");
	} else if (!strcmp(name, "wx-text")) {
		*(volatile uint8_t *)(uintptr_t)selftest_run = 0xcc;
	} else if (!strcmp(name, "nx-data")) {
		((void (*)(void))(uintptr_t)nx_probe)();
	} else if (!strcmp(name, "panic")) {
		panic("selftest: deliberate panic");
	} else {
		pr_err("unknown selftest '%s'\n", name);
		return;
	}
	pr_err("%s did not fault: protection is broken\n", name);
}
