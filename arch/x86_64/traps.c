// SPDX-License-Identifier: MIT
/*
 * IDT, exception reporting and panic. Gate format: SDM Vol. 3A,
 * "64-Bit Mode IDT" (interrupt gates, so IF is cleared on entry).
 */
#define pr_fmt "trap"
#include <stdarg.h>
#include <stdbool.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/segment.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "drivers/console.h"
#include "drivers/fmt.h"

#define GATE_INTERRUPT 0x8e /* P, DPL0, 64-bit interrupt gate */
#define BACKTRACE_MAX 16

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

extern const uint64_t isr_stubs[NR_VECTORS];
extern char __image_start[], __text_end[];

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));
static irq_handler_fn handlers[NR_VECTORS];
static volatile int panicking;

static const char *const exc_names[32] = {
	[EXC_DE] = "divide error", [EXC_DB] = "debug", [EXC_NMI] = "NMI",
	[EXC_BP] = "breakpoint", [EXC_OF] = "overflow", [EXC_BR] = "bound range",
	[EXC_UD] = "invalid opcode", [EXC_NM] = "device not available",
	[EXC_DF] = "double fault", [EXC_TS] = "invalid TSS", [EXC_NP] = "segment not present",
	[EXC_SS] = "stack fault", [EXC_GP] = "general protection", [EXC_PF] = "page fault",
	[EXC_MF] = "x87 error", [EXC_AC] = "alignment check", [EXC_MC] = "machine check",
	[EXC_XM] = "SIMD error", [EXC_VE] = "virtualization exception",
	[EXC_CP] = "control protection",
};

static void set_gate(unsigned v, uint64_t handler, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.off_lo = (uint16_t)handler,
		.sel = SEL_CODE64,
		.ist = ist,
		.type = GATE_INTERRUPT,
		.off_mid = (uint16_t)(handler >> 16),
		.off_hi = (uint32_t)(handler >> 32),
	};
}

void idt_init(void)
{
	/* No IST until this CPU has a TSS: see idt_enable_ist(). */
	for (unsigned v = 0; v < NR_VECTORS; v++)
		set_gate(v, isr_stubs[v], 0);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

void irq_register(unsigned vector, irq_handler_fn fn)
{
	if (vector < FIRST_IRQ_VECTOR || vector >= NR_VECTORS)
		panic("irq_register: bad vector %u", vector);
	handlers[vector] = fn;
}

static bool is_text(uint64_t a)
{
	return a >= (uint64_t)__image_start && a < (uint64_t)__text_end;
}

void dump_backtrace(uint64_t rip, uint64_t rbp)
{
	char line[256];
	int n = fmt_snprintf(line, sizeof(line), "backtrace: %#lx", (unsigned long)rip);

	/* Follow saved frame pointers while they look like core stack frames. */
	for (int i = 0; i < BACKTRACE_MAX && rbp && !(rbp & 7) && rbp > 0x1000 &&
			 n < (int)sizeof(line) - 24; i++) {
		const uint64_t *fp = (const uint64_t *)rbp;

		if (!is_text(fp[1]))
			break;
		n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, " %#lx",
				  (unsigned long)fp[1]);
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
	console_emergency_write(line, (unsigned long)n);
	console_emergency_write("\n", 1);
}

static void emergency_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emergency_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_emergency_write(buf, n < (int)sizeof(buf) ? (unsigned long)n : sizeof(buf) - 1);
}

static void dump_frame(const struct trap_frame *f)
{
	emergency_printf("RIP %#018lx  CS %#lx  RFLAGS %#lx  error %#lx\n", f->rip, f->cs,
			 f->rflags, f->error);
	emergency_printf("RSP %#018lx  SS %#lx  CR2 %#lx  CR3 %#lx  CR0 %#lx  CR4 %#lx\n",
			 f->rsp, f->ss, read_cr2(), read_cr3(), read_cr0(), read_cr4());
	emergency_printf("RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", f->rax, f->rbx,
			 f->rcx, f->rdx);
	emergency_printf("RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", f->rsi, f->rdi,
			 f->rbp, f->r8);
	emergency_printf("R9  %016lx R10 %016lx R11 %016lx R12 %016lx\n", f->r9, f->r10,
			 f->r11, f->r12);
	emergency_printf("R13 %016lx R14 %016lx R15 %016lx\n", f->r13, f->r14, f->r15);
	dump_backtrace(f->rip, f->rbp);
}

static unsigned cpu_id_safe(void)
{
	/* GS is not set up on a CPU that died very early. */
	return rdmsr(MSR_GS_BASE) ? this_cpu()->id : 0;
}

static void __attribute__((noreturn)) die(void)
{
	power_stop(POWER_STOP_FAILURE);
}

static void exception(struct trap_frame *f)
{
	const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector]
								   : "reserved exception";

	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		cpu_halt_forever(); /* one report is enough */
	emergency_printf("\nPANIC on cpu%u: %s (vector %lu) in the hypervisor\n", cpu_id_safe(),
			 name, f->vector);
	if (f->vector == EXC_PF)
		emergency_printf("page fault at %#lx: %s, %s%s\n", read_cr2(),
				 f->error & 1 ? "protection violation" : "page not present",
				 f->error & 2 ? "write" : f->error & 16 ? "instruction fetch" : "read",
				 f->error & 8 ? ", reserved bit set" : "");
	dump_frame(f);
	die();
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == EXC_NMI && smp_stop_requested())
		cpu_halt_forever();
	if (f->vector < FIRST_IRQ_VECTOR) {
		exception(f);
		return;
	}
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	pr_warn("unexpected interrupt vector %lu on cpu%u\n", f->vector, cpu_id_safe());
}

void irq_dispatch(unsigned vector)
{
	struct trap_frame f = { .vector = vector };

	if (vector >= FIRST_IRQ_VECTOR && vector < NR_VECTORS && handlers[vector])
		handlers[vector](&f);
	else
		pr_warn("unexpected interrupt vector %u on cpu%u\n", vector, cpu_id_safe());
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		cpu_halt_forever();
	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emergency_printf("\nPANIC on cpu%u: ", cpu_id_safe());
	console_emergency_write(buf, n < (int)sizeof(buf) ? (unsigned long)n : sizeof(buf) - 1);
	console_emergency_write("\n", 1);
	/* Start at our caller: its return address and its saved frame. */
	dump_backtrace((uint64_t)__builtin_return_address(0),
		       *(uint64_t *)__builtin_frame_address(0));
	die();
}

void idt_enable_ist(void)
{
	idt[EXC_DF].ist = IST_DF;
	idt[EXC_NMI].ist = IST_NMI;
	idt[EXC_MC].ist = IST_MC;
}
