// SPDX-License-Identifier: MIT
#define pr_fmt "vmm"
#include "drivers/console.h"
#include "vmm/vmm.h"

void vmm_main(void)
{
	pr_info("no guests configured\n");
}
