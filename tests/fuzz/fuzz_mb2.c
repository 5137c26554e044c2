// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the multiboot2 information parser (boot/mb2.c).
 *
 * Input: the information block itself; mb2_parse() gets avail = the input
 * size. libFuzzer hands over an exact-size heap copy, so ASan reports any
 * read past avail. Whatever the input, the result must be a well-formed
 * struct boot_info (counts in range, strings terminated), and success
 * needs a non-empty memory map.
 *
 * Seeds: tests/fuzz/corpus/mb2/ (a GRUB-like block, one with 32-byte
 * memory map entries):
 *   build/fuzz/fuzz_mb2 -max_total_time=60 <new dir> tests/fuzz/corpus/mb2
 */
#include <stdint.h>
#include <string.h>

#include "boot/mb2.c"

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	int err;

	err = mb2_parse(data, size, &bi);
	if (err != 0 && err != -EINVAL)
		__builtin_trap();
	if (bi.magic != BOOT_INFO_MAGIC || bi.version != BOOT_INFO_VERSION ||
	    bi.source != BOOT_SRC_MULTIBOOT2)
		__builtin_trap();
	if (bi.nr_mem > BOOT_MAX_MEM || bi.nr_modules > BOOT_MAX_MODULES ||
	    bi.rsdp_len > sizeof(bi.rsdp_copy))
		__builtin_trap();
	check_str(bi.cmdline, sizeof(bi.cmdline));
	check_str(bi.loader, sizeof(bi.loader));
	for (unsigned i = 0; i < bi.nr_modules; i++)
		check_str(bi.modules[i].name, sizeof(bi.modules[i].name));
	for (unsigned i = 0; i < bi.nr_mem; i++) {
		if (!bi.mem[i].len || bi.mem[i].type < BOOT_MEM_USABLE ||
		    bi.mem[i].type > BOOT_MEM_BAD || bi.mem[i].reserved)
			__builtin_trap();
	}
	if (err == 0 && bi.nr_mem == 0)
		__builtin_trap();
	return 0;
}
