// SPDX-License-Identifier: MIT
/*
 * kernel_main: from a complete struct boot_info to a running machine.
 * Order matters: console, traps, memory, page tables, per-CPU state,
 * firmware tables, clocks, APICs, other CPUs, then the VMM.
 */
#define pr_fmt "basalt"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_sched.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/cmdline.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/machine.h"
#include "arch/x86_64/memmap.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/selftest.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/vmx.h"
#include "boot/boot.h"
#include "drivers/console.h"
#include "drivers/uart16550.h"
#include "vmm/vmm.h"

#define BASALT_VERSION "0.1"

extern char __image_start[], __image_end[];
extern char boot_stack_top[];

static struct boot_info *bootinfo;
static struct boot_mem_region memmap[BOOT_MAX_MEM];
static unsigned nr_memmap;

const struct boot_info *boot_info_get(void)
{
	return bootinfo;
}

static void apply_cmdline(const char *cmdline)
{
	char v[32];
	unsigned long long n;

	if (cmdline_get(cmdline, "serial", v, sizeof(v)) && cmdline_parse_u64(v, &n))
		uart_early_init(UART_COM1, (uint32_t)n);
	if (cmdline_get(cmdline, "loglevel", v, sizeof(v))) {
		int level = console_parse_level(v);

		if (level < 0)
			pr_warn("loglevel=%s unknown (err, warn, info, debug); keeping info\n", v);
		else
			console_set_level(level);
	}
	if (cmdline_get(cmdline, "exit", v, sizeof(v))) {
		if (!strcmp(v, "bochs"))
			power_set_emu_exit(EMU_EXIT_BOCHS);
		else if (!strcmp(v, "qemu"))
			power_set_emu_exit(EMU_EXIT_QEMU);
		else
			pr_warn("exit=%s unknown (bochs, qemu)\n", v);
	}
}

/* on_done=poweroff|reboot|halt: what to do once every VM has stopped. */
static enum power_stop_kind done_action(const char *cmdline)
{
	char v[16];

	if (!cmdline_get(cmdline, "on_done", v, sizeof(v)) || !strcmp(v, "poweroff"))
		return POWER_STOP_OFF;
	if (!strcmp(v, "reboot"))
		return POWER_STOP_RESET;
	if (!strcmp(v, "halt"))
		return POWER_STOP_HALT;
	pr_warn("on_done=%s unknown (poweroff, reboot, halt); powering off\n", v);
	return POWER_STOP_OFF;
}

static void *identity(uint64_t phys, size_t len)
{
	(void)len;
	return (void *)(uintptr_t)phys;
}

static void memory_init(struct boot_info *bi)
{
	struct pmm_range excl[BOOT_MAX_MODULES + 1];
	unsigned nexcl = 0;
	int n;

	memcpy(memmap, bi->mem, bi->nr_mem * sizeof(memmap[0]));
	n = memmap_normalize(memmap, bi->nr_mem, BOOT_MAX_MEM);
	if (n < 0)
		boot_fail("memory map too fragmented to normalize");
	nr_memmap = (unsigned)n;
	for (unsigned i = 0; i < nr_memmap; i++)
		pr_debug("mem 0x%012lx-0x%012lx %s\n", (unsigned long)memmap[i].base,
			 (unsigned long)(memmap[i].base + memmap[i].len - 1),
			 memmap_type_name(memmap[i].type));
	excl[nexcl++] = (struct pmm_range){ (uint64_t)__image_start, (uint64_t)__image_end };
	for (unsigned i = 0; i < bi->nr_modules; i++)
		excl[nexcl++] = (struct pmm_range){ bi->modules[i].base,
						    bi->modules[i].base + bi->modules[i].len };
	if (pmm_init(memmap, nr_memmap, excl, nexcl, identity))
		boot_fail("no usable memory");
	paging_init(memmap, nr_memmap);
}

static void heap_setup(void)
{
	uint64_t pa = pmm_alloc(HEAP_SIZE / PAGE_SIZE, PAGE_SIZE, LOW_MEM_END, ~0ull);

	if (!pa)
		boot_fail("no memory for the %u KiB kernel heap", HEAP_SIZE / 1024);
	heap_init((void *)pa, HEAP_SIZE);
}

static void log_modules(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nr_modules; i++)
		pr_info("module %u: %#lx-%#lx %s\n", i, (unsigned long)bi->modules[i].base,
			(unsigned long)(bi->modules[i].base + bi->modules[i].len),
			bi->modules[i].name);
}

void kernel_main(struct boot_info *bi)
{
	char v[32];
	unsigned long long fake = ~0u;
	unsigned cpus;

	tsc_mark_boot();
	boot_early_console();
	bootinfo = bi;
	apply_cmdline(bi->cmdline);
	console_printf("\nBasalt hypervisor %s (%s via %s)\n", BASALT_VERSION,
		       bi->loader[0] ? bi->loader : "unknown loader",
		       bi->source == BOOT_SRC_UEFI ? "UEFI" : "multiboot2");
	pr_info("command line: %s\n", bi->cmdline);
	idt_init();
	idt_load();
	memory_init(bi);
	pcpu_setup(0, 0, (uint64_t)boot_stack_top);
	idt_enable_ist();
	heap_setup();
	log_modules(bi);
	platform_discover(bi);
	tsc_init();
	apic_init(platform_get()->lapic_addr);
	pcpu_get(0)->apic_id = apic_id();
	pcpu_get(0)->online = true;
	if (cmdline_get(bi->cmdline, "smp.fake_cpu", v, sizeof(v)) &&
	    !cmdline_parse_u64(v, &fake))
		pr_warn("smp.fake_cpu=%s is not a number\n", v);
	fpu_init_cpu();
	if (vmx_probe() == 0 && vmx_cpu_on())
		boot_fail("cpu0 could not enter VMX operation");
	cpu_sched_init();
	cpus = smp_boot(platform_get(), (uint32_t)fake);
	selftest_run(bi->cmdline);
	console_printf("basalt: boot complete: %u CPU%s online, %lu MiB usable memory, "
		       "%lu MiB free\n", cpus, cpus == 1 ? "" : "s",
		       (unsigned long)(memmap_total(memmap, nr_memmap, BOOT_MEM_USABLE) >> 20),
		       (unsigned long)(pmm_free_pages() >> (20 - PAGE_SHIFT)));
	enum power_stop_kind action = done_action(bi->cmdline);

	if (vmx_available()) {
		switch (vmm_main()) {
		case VMM_DONE_HALT: action = POWER_STOP_HALT; break;
		case VMM_DONE_POWEROFF: action = POWER_STOP_OFF; break;
		case VMM_DONE_REBOOT: action = POWER_STOP_RESET; break;
		case VMM_DONE_DEFAULT: break;
		}
	} else {
		console_printf("basalt: no usable VT-x on this machine: nothing to run\n");
	}
	console_printf("BASALT-DONE\n");
	power_stop(action);
}
