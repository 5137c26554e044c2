// SPDX-License-Identifier: MIT
/*
 * VM life cycle: create (RAM, EPT, bitmaps, devices), add vCPUs, run,
 * stop, destroy. Guest RAM is one contiguous host block per region,
 * 2 MiB aligned so EPT can use large pages, zeroed before the guest sees
 * it: nothing of the hypervisor or an earlier guest leaks in.
 */
#define pr_fmt "vm"
#include <stdarg.h>

#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/vmx.h"
#include "drivers/console.h"
#include "drivers/fmt.h"
#include "vmm/exit.h"
#include "vmm/sched.h"
#include "vmm/vm.h"

#define SIZE_2M (2ull << 20)
#define LOG_BUDGET 64 /* guest-triggerable messages per VM run */
#define MSR_LOW_END 0x2000u
#define MSR_HIGH_BASE 0xc0000000u
#define BITMAP_READ_LOW 0
#define BITMAP_READ_HIGH 1024
#define BITMAP_WRITE_LOW 2048
#define BITMAP_WRITE_HIGH 3072

static unsigned next_vm_id;

/* MSRs the guest reads and writes without exits: VMX or we switch them. */
static const uint32_t passthrough_msrs[] = {
	0x174, 0x175, 0x176,        /* SYSENTER_CS/ESP/EIP: in the VMCS */
	0xc0000100, 0xc0000101,     /* FS_BASE, GS_BASE: in the VMCS */
	0xc0000102,                 /* KERNEL_GS_BASE: switched per vCPU */
	0xc0000081, 0xc0000082,     /* STAR, LSTAR: switched per vCPU */
	0xc0000083, 0xc0000084,     /* CSTAR, SFMASK: switched per vCPU */
	0xc0000103,                 /* TSC_AUX: switched per vCPU (with RDTSCP) */
};

static uint64_t alloc_zeroed_page(void)
{
	uint64_t pa = pmm_alloc_page();

	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return pa;
}

static void msr_bitmap_allow(uint8_t *bm, uint32_t msr)
{
	unsigned base_r = msr < MSR_LOW_END ? BITMAP_READ_LOW : BITMAP_READ_HIGH;
	unsigned base_w = msr < MSR_LOW_END ? BITMAP_WRITE_LOW : BITMAP_WRITE_HIGH;
	uint32_t bit = msr < MSR_LOW_END ? msr : msr - MSR_HIGH_BASE;

	bm[base_r + bit / 8] &= (uint8_t)~(1u << (bit % 8));
	bm[base_w + bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static int setup_bitmaps(struct vm *vm)
{
	vm->msr_bitmap = pmm_alloc_page();
	vm->io_bitmap_a = pmm_alloc_page();
	vm->io_bitmap_b = pmm_alloc_page();
	if (!vm->msr_bitmap || !vm->io_bitmap_a || !vm->io_bitmap_b)
		return -ENOMEM;
	/* Every port and every MSR exits unless allowed below. */
	memset((void *)(uintptr_t)vm->msr_bitmap, 0xff, PAGE_SIZE);
	memset((void *)(uintptr_t)vm->io_bitmap_a, 0xff, PAGE_SIZE);
	memset((void *)(uintptr_t)vm->io_bitmap_b, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < sizeof(passthrough_msrs) / sizeof(passthrough_msrs[0]); i++)
		msr_bitmap_allow((uint8_t *)(uintptr_t)vm->msr_bitmap, passthrough_msrs[i]);
	return 0;
}

static uint64_t ept_alloc(void *ctx)
{
	(void)ctx;
	return alloc_zeroed_page();
}

static void ept_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	pmm_free(pa, 1);
}

static void *ept_ptr(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static const struct ept_ops vm_ept_ops = { ept_alloc, ept_free, ept_ptr, 0 };

static int add_ram(struct vm *vm, uint64_t gpa_base, uint64_t size)
{
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t hpa_base = pmm_alloc(pages, SIZE_2M, LOW_MEM_END, ~0ull);
	int err;

	if (!hpa_base)
		return -ENOMEM;
	memset((void *)(uintptr_t)hpa_base, 0, pages * PAGE_SIZE);
	err = ept_map(&vm->ept, gpa_base, hpa_base, pages * PAGE_SIZE, EPT_R | EPT_W | EPT_X,
		      EPT_MT_WB);
	if (err) {
		pmm_free(hpa_base, pages);
		return err;
	}
	vm->mem[vm->nr_mem++] = (struct vm_mem){ gpa(gpa_base), pages * PAGE_SIZE,
						 hpa(hpa_base) };
	return 0;
}

struct vm *vm_create(const char *name, uint64_t ram_size)
{
	const struct vmx_caps *c = vmx_caps();
	struct vm *vm = kzalloc(sizeof(*vm));
	unsigned caps = (c->ept_2m ? EPT_CAP_2M : 0) | (c->ept_1g ? EPT_CAP_1G : 0);
	int err;

	if (!vm) {
		pr_err("%s: no memory for the VM\n", name);
		return NULL;
	}
	strlcpy(vm->name, name, sizeof(vm->name));
	vm->console = true;
	vm->id = next_vm_id++;
	vm->log_budget = LOG_BUDGET;
	bus_init(&vm->pio, "port");
	bus_init(&vm->mmio, "MMIO");
	err = ept_init(&vm->ept, &vm_ept_ops, caps);
	if (!err)
		err = add_ram(vm, 0, ram_size);
	if (!err)
		err = setup_bitmaps(vm);
	if (err) {
		pr_err("%s: cannot create VM with %lu MiB: error %d\n", name,
		       (unsigned long)(ram_size >> 20), err);
		vm_destroy(vm);
		return NULL;
	}
	vm->eptp = ept_eptp(&vm->ept);
	return vm;
}

int vm_add_vcpu(struct vm *vm, const struct vcpu_start *start)
{
	struct vcpu *v;
	int err;

	if (vm->nr_vcpus == VM_MAX_VCPUS)
		return -ENOSPC;
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->id = vm->nr_vcpus;
	v->pending_irq = -1;
	v->start = *start;
	/* VPID 0 is the host's; each vCPU gets its own. */
	err = vmx_vcpu_init(&v->arch, vm->eptp, (uint16_t)(1 + vm->id * VM_MAX_VCPUS + v->id),
			    vm->msr_bitmap, vm->io_bitmap_a, vm->io_bitmap_b, start);
	if (err) {
		kfree(v);
		return err;
	}
	vm->vcpus[vm->nr_vcpus++] = v;
	return 0;
}

void vm_raise_irq(struct vm *vm, uint8_t vector)
{
	if (vector < 32 || !vm->nr_vcpus) {
		vm_warn(vm, "interrupt vector %u refused\n", vector);
		return;
	}
	vm->vcpus[0]->pending_irq = vector;
	vm->vcpus[0]->irq_check = true;
	sched_wake(vm->vcpus[0]);
}

void vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!vm->log_budget)
		return;
	if (--vm->log_budget == 0)
		fmt = "further messages from this VM suppressed\n";
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_log(level, vm->name, "%s", buf);
}

void vm_stop(struct vm *vm, enum vm_stop_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&vm->state, VM_STOPPED, __ATOMIC_SEQ_CST) == VM_STOPPED)
		return;
	vm->stop_kind = kind;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	console_log(LOG_INFO, vm->name, "stopped: %s\n", vm->stop_reason);
	/* Halted vCPUs must notice too: their CPUs drop them when they look. */
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		sched_wake(vm->vcpus[i]);
}

void vm_input(struct vm *vm, char c)
{
	unsigned next = (vm->input_head + 1) % sizeof(vm->input);

	if (next == vm->input_tail)
		return;
	vm->input[vm->input_head] = c;
	__atomic_store_n(&vm->input_head, next, __ATOMIC_RELEASE);
	if (vm->serial)
		uart_input_ready(vm->serial);
}

static void console_putc_locked(struct vm *vm, char c);

void vm_console_putc(struct vm *vm, char c)
{
	spin_lock(&vm->con_lock);
	console_putc_locked(vm, c);
	spin_unlock(&vm->con_lock);
}

static void console_putc_locked(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	if (c != '\n' && vm->con_len < sizeof(vm->con_line) - 1) {
		/* Control characters from a guest must not drive our terminal. */
		vm->con_line[vm->con_len++] = (c < ' ' && c != '\t') || c == 0x7f ? '?' : c;
		return;
	}
	vm->con_line[vm->con_len] = '\0';
	if (vm->console)
		console_printf("%s: %s\n", vm->name, vm->con_line);
	vm->con_len = 0;
	if (c != '\n') /* the line was full: keep this character */
		vm->con_line[vm->con_len++] = c;
}

int vm_start(struct vm *vm, const uint64_t *cpu_masks)
{
	int err = 0;

	if (!vm->nr_vcpus)
		return -EINVAL;
	vm->state = VM_RUNNING;
	for (unsigned i = 0; i < vm->nr_vcpus && !err; i++)
		err = sched_add(vm->vcpus[i], cpu_masks ? cpu_masks[i] : 0);
	if (err)
		vm_stop(vm, VM_STOP_CRASH, "cannot schedule its vCPUs (error %d)", err);
	return err;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->con_len)
		console_putc_locked(vm, '\n');
	for (unsigned i = 0; i < vm->nr_devs; i++)
		if (vm->devs[i].ops->destroy)
			vm->devs[i].ops->destroy(&vm->devs[i]);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vmx_vcpu_free(&vm->vcpus[i]->arch);
		kfree(vm->vcpus[i]);
	}
	for (unsigned i = 0; i < vm->nr_mem; i++)
		pmm_free(hpa_val(vm->mem[i].hpa), vm->mem[i].size / PAGE_SIZE);
	if (vm->ept.root)
		ept_destroy(&vm->ept);
	if (vm->msr_bitmap)
		pmm_free(vm->msr_bitmap, 1);
	if (vm->io_bitmap_a)
		pmm_free(vm->io_bitmap_a, 1);
	if (vm->io_bitmap_b)
		pmm_free(vm->io_bitmap_b, 1);
	kfree(vm);
}

int vm_input_get(struct vm *vm)
{
	unsigned tail = __atomic_load_n(&vm->input_tail, __ATOMIC_ACQUIRE);
	int c;

	if (tail == __atomic_load_n(&vm->input_head, __ATOMIC_ACQUIRE))
		return -1;
	c = (unsigned char)vm->input[tail];
	__atomic_store_n(&vm->input_tail, (tail + 1) % sizeof(vm->input), __ATOMIC_RELEASE);
	return c;
}
