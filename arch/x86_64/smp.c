// SPDX-License-Identifier: MIT
/*
 * AP start-up with the INIT-SIPI-SIPI sequence (SDM Vol. 3A, "MP
 * Initialization Example"): INIT, 10 ms, SIPI, 200 us, SIPI, then wait for
 * the AP to mark itself online. APs start one at a time, so one
 * trampoline data block serves them all.
 */
#define pr_fmt "smp"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/trampoline.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/vmx.h"
#include "vmm/vmm.h"
#include "drivers/console.h"

#define INIT_DELAY_US  10000
#define SIPI_DELAY_US  200
#define ONLINE_WAIT_US 200000

extern const char trampoline_start[], trampoline_32[], trampoline_64[];
extern const char trampoline_code_end[];

static unsigned nr_online = 1;
static volatile bool stopping;
static uint8_t *tramp; /* the low copy */

static void put16(unsigned off, uint16_t v) { memcpy(tramp + off, &v, sizeof(v)); }
static void put32(unsigned off, uint32_t v) { memcpy(tramp + off, &v, sizeof(v)); }
static void put64(unsigned off, uint64_t v) { memcpy(tramp + off, &v, sizeof(v)); }

static const uint64_t tramp_gdt[4] = {
	0,
	0x00af9a000000ffffull, /* TR_SEL_CODE64 */
	0x00cf92000000ffffull, /* TR_SEL_DATA */
	0x00cf9a000000ffffull, /* TR_SEL_CODE32 */
};

void ap_main(uint64_t idx);
void __attribute__((noreturn)) ap_main(uint64_t idx)
{
	struct pcpu *c = pcpu_get((unsigned)idx);

	write_cr0(read_cr0() | CR0_WP);
	pcpu_setup((unsigned)idx, c->apic_id, c->stack_top);
	idt_load();
	apic_init_ap();
	fpu_init_cpu();
	if (vmx_available() && vmx_cpu_on())
		pr_err("cpu%u: VMX unavailable; it will run no guests\n", c->id);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	if (vmx_available() && c->vmxon_region)
		vmm_ap_main(); /* runs the vCPUs given to this CPU; never returns */
	for (;;)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static int setup_trampoline(void)
{
	uint64_t code = (uint64_t)(trampoline_code_end - trampoline_start);
	uint64_t pa = pmm_alloc(1, PAGE_SIZE, PAGE_SIZE, LOW_MEM_END);

	if (code > TR_DATA)
		panic("smp: trampoline code (%lu bytes) overlaps its data", (unsigned long)code);
	if (!pa) {
		pr_err("no free page below 1 MiB for the AP trampoline\n");
		return -1;
	}
	tramp = (uint8_t *)pa;
	memset(tramp, 0, PAGE_SIZE);
	memcpy(tramp, trampoline_start, code);
	memcpy(tramp + TR_GDT, tramp_gdt, sizeof(tramp_gdt));
	put16(TR_GDT_DESC, sizeof(tramp_gdt) - 1);
	put32(TR_GDT_DESC + 2, (uint32_t)(pa + TR_GDT));
	put32(TR_JMP32, (uint32_t)(pa + (uint64_t)(trampoline_32 - trampoline_start)));
	put16(TR_JMP32 + 4, TR_SEL_CODE32);
	put32(TR_JMP64, (uint32_t)(pa + (uint64_t)(trampoline_64 - trampoline_start)));
	put16(TR_JMP64 + 4, TR_SEL_CODE64);
	put32(TR_CR3, (uint32_t)paging_root());
	put32(TR_EFER, (uint32_t)(rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE)));
	put64(TR_ENTRY, (uint64_t)ap_main);
	/* The copy runs: read-only, executable, like the rest of our code. */
	paging_protect(pa, PAGE_SIZE, PAGE_RX);
	return 0;
}

static bool wait_online(struct pcpu *c, uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz() / 1000;

	while ((int64_t)(rdtsc() - end) < 0)
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
	return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
}

static bool start_ap(unsigned idx, uint32_t apic_id)
{
	struct pcpu *c = pcpu_get(idx);
	uint64_t stack = pmm_alloc(CPU_STACK_SIZE / PAGE_SIZE, PAGE_SIZE, LOW_MEM_END, ~0ull);
	uint32_t vector = (uint32_t)((uint64_t)tramp >> 12);

	if (!stack) {
		pr_err("no memory for cpu%u's stack\n", idx);
		return false;
	}
	c->apic_id = apic_id;
	c->stack_top = stack + CPU_STACK_SIZE;
	c->online = false;
	/* The data block is read-only for us now: write through a brief RW window. */
	paging_protect((uint64_t)tramp, PAGE_SIZE, PAGE_RW);
	put64(TR_STACK, c->stack_top);
	put64(TR_ARG, idx);
	paging_protect((uint64_t)tramp, PAGE_SIZE, PAGE_RX);

	apic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	tsc_delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2 && !c->online; i++) {
		apic_send_ipi(apic_id, ICR_STARTUP | vector);
		tsc_delay_us(SIPI_DELAY_US);
	}
	if (wait_online(c, ONLINE_WAIT_US))
		return true;
	/* Park it in wait-for-SIPI so a late start cannot run on a reused block. */
	apic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	pmm_free(stack, CPU_STACK_SIZE / PAGE_SIZE);
	return false;
}

unsigned smp_boot(const struct platform *p, uint32_t extra_apic_id)
{
	uint32_t self = apic_id();
	unsigned tried = 0;

	if (setup_trampoline())
		return nr_online;
	for (unsigned i = 0; i <= p->nr_cpus; i++) {
		uint32_t id = i < p->nr_cpus ? p->cpus[i].apic_id : extra_apic_id;

		if (id == self || (i == p->nr_cpus && id == ~0u))
			continue;
		/* Online-capable (ACPI 6.3): usually an empty hot-plug slot. */
		if (i < p->nr_cpus && p->cpus[i].online_capable)
			continue;
		if (nr_online == MAX_CPUS) {
			pr_warn("more than %d CPUs; the rest stay off\n", MAX_CPUS);
			break;
		}
		tried++;
		if (start_ap(nr_online, id)) {
			pr_info("cpu%u (APIC id %u) online\n", nr_online, id);
			nr_online++;
		} else {
			pr_err("CPU with APIC id %u did not answer INIT-SIPI-SIPI; continuing without it\n",
			       id);
		}
	}
	pr_info("%u of %u CPUs online\n", nr_online, tried + 1);
	return nr_online;
}

unsigned smp_cpus_online(void)
{
	return nr_online;
}

void smp_stop_others(void)
{
	if (__atomic_exchange_n(&stopping, true, __ATOMIC_SEQ_CST) || nr_online < 2)
		return;
	apic_send_ipi(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

bool smp_stop_requested(void)
{
	return stopping;
}
